/**
 * Paint Studio: give every user a favorite color, store it, and put it in the ID token.
 */
function (user, context, callback) {
  if (context.clientName !== 'Paint Studio') {
    return callback(null, user, context);
  }

  user.user_metadata = user.user_metadata || {};
  user.user_metadata.color = user.user_metadata.color || 'purple';
  context.idToken['https://example.com/favorite_color'] = user.user_metadata.color;

  auth0.users.updateUserMetadata(user.user_id, user.user_metadata)
    .then(function () {
      callback(null, user, context);
    })
    .catch(function (err) {
      callback(err);
    });
}
