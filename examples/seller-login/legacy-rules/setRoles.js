function setRoles(user, context, callback) {
  var roles = (user.app_metadata || {}).roles;

  // No roles (absent or null): the fallback USER, for this login only. It is never written to app_metadata.
  if (roles === undefined || roles === null) {
    roles = ['USER'];
  } else {
    // Roles that are there but not a list of strings are a broken profile, not a reason to hand out USER.
    var ok = Array.isArray(roles);
    for (var i = 0; ok && i < roles.length; i++) ok = typeof roles[i] === 'string';
    if (!ok) {
      console.log('app_metadata.roles is not a list of strings');
      return callback(new Error('Login is temporarily unavailable. Please try again later.'));
    }
  }

  // Read by denyRoles; a property of this login's `user`, never persisted.
  user.effective_roles = roles.slice();
  context.accessToken['https://example.com/roles'] = roles.slice();
  callback(null, user, context);
}
