/**
 * Only users with an email address at one of our domains may log in.
 */
function (user, context, callback) {
  var whitelist = ['example.com', 'example.org'];
  var domain = (user.email || '').split('@').pop().toLowerCase();

  if (whitelist.indexOf(domain) === -1) {
    return callback(new UnauthorizedError('Access denied.'));
  }

  callback(null, user, context);
}
