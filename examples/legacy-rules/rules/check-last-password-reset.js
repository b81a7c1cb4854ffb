/**
 * Database users must change their password every 30 days.
 */
function (user, context, callback) {
  if (context.connection !== 'Username-Password-Authentication') {
    return callback(null, user, context);
  }

  var lastChange = new Date(user.last_password_reset || user.created_at);
  var days = (Date.now() - lastChange.getTime()) / (1000 * 60 * 60 * 24);

  if (days > 30) {
    return callback(new UnauthorizedError('Your password has expired.'));
  }
  callback(null, user, context);
}
