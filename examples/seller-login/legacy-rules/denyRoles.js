function denyRoles(user, context, callback) {
  var GENERIC = 'Login is temporarily unavailable. Please try again later.';

  // The application's client metadata allowed_roles, e.g. "USER, ADMIN". An application without it is
  // misconfigured: deny rather than let every role in.
  var allowed = String(context.clientMetadata.allowed_roles || '')
    .split(',')
    .map(function (role) { return role.trim(); })
    .filter(function (role) { return role.length > 0; });
  if (allowed.length === 0) {
    console.log('client metadata allowed_roles is missing');
    return callback(new Error(GENERIC));
  }

  // user.effective_roles comes from setRoles.
  var roles = user.effective_roles || [];
  var permitted = roles.some(function (role) { return allowed.indexOf(role) !== -1; });
  if (!permitted) {
    return callback(new UnauthorizedError('Your account is not allowed to use this application.'));
  }

  // setSeller could not fetch the seller: without it the tokens cannot be trusted. Denied here, after the role check.
  if (user.seller_lookup_failed) return callback(new Error(GENERIC));

  callback(null, user, context);
}
