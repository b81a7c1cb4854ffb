/**
 * Block the Resource Owner Password grant: users must log in through the login page.
 */
function (user, context, callback) {
  if (context.protocol === 'oauth2-resource-owner') {
    return callback(new UnauthorizedError('The resource owner endpoint cannot be used.'));
  }
  callback(null, user, context);
}
