/**
 * Admin Console: give users a role from their email domain, once, and put it in the ID token.
 */
function (user, context, callback) {
  if (context.clientID !== 'admin-console-id') {
    return callback(null, user, context);
  }

  user.app_metadata = user.app_metadata || {};
  if (user.app_metadata.roles) {
    context.idToken['https://example.com/roles'] = user.app_metadata.roles;
    return callback(null, user, context);
  }

  var isAdmin = user.email_verified && /@example\.com$/.test(user.email);
  user.app_metadata.roles = isAdmin ? ['admin'] : ['user'];

  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () {
      context.idToken['https://example.com/roles'] = user.app_metadata.roles;
      callback(null, user, context);
    })
    .catch(function (err) {
      callback(err);
    });
}
