/**
 * Online Banking: require MFA once per session.
 */
function (user, context, callback) {
  if (context.clientName !== 'Online Banking') {
    return callback(null, user, context);
  }

  var completedMfa = !!context.authentication.methods.find(function (method) {
    return method.name === 'mfa';
  });

  if (!completedMfa) {
    context.multifactor = {
      provider: 'any',
      allowRememberBrowser: false
    };
  }

  callback(null, user, context);
}
