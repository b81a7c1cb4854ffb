/**
 * Reports: the Reports API wants the user's email in the access token.
 */
function (user, context, callback) {
  if (context.clientID !== 'reports-id') {
    return callback(null, user, context);
  }

  var namespace = 'https://example.com/';
  context.accessToken[namespace + 'email'] = user.email;
  return callback(null, user, context);
}
