/**
 * Tell the CRM about a new user on their first login. Never blocks the login.
 */
function (user, context, callback) {
  // only on the first login, and not again when the login comes back from a redirect
  if (context.stats.loginsCount !== 1 || context.protocol === 'redirect-callback') {
    return callback(null, user, context);
  }

  var request = require('request');

  request.post({
    url: configuration.WEBHOOK_URL,
    json: { user_id: user.user_id, email: user.email },
    timeout: 2000
  }, function (err) {
    if (err) {
      console.log('webhook failed: ' + err.code);
    }
    // the login goes on either way
    callback(null, user, context);
  });
}
