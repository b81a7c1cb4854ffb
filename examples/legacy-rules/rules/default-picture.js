/**
 * Users without a picture get our default avatar.
 */
function (user, context, callback) {
  if (!user.picture) {
    user.picture = 'https://cdn.example.com/avatars/default.png';
  }
  callback(null, user, context);
}
