/**
 * The Intranet can only be reached from the office IP addresses.
 */
function (user, context, callback) {
  var whitelist = ['198.51.100.7', '198.51.100.8'];

  if (context.clientID === 'intranet-id' && whitelist.indexOf(context.request.ip) === -1) {
    return callback(new Error('Access denied from this IP address.'));
  }

  callback(null, user, context);
}
