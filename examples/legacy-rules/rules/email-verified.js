/**
 * Deny users whose email address has not been verified yet.
 */
function (user, context, callback) {
  if (!user.email_verified) {
    return callback(new UnauthorizedError('Please verify your email before logging in.'));
  }
  return callback(null, user, context);
}
