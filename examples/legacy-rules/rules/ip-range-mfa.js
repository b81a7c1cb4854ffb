/**
 * VPN portal: ask for Guardian MFA when the user is outside the corporate network.
 */
function (user, context, callback) {
  if (context.clientID !== 'vpn-portal-id') {
    return callback(null, user, context);
  }

  var Netmask = require('netmask@2.0.2').Netmask;
  var corporateNetwork = new Netmask(configuration.CORPORATE_CIDR);

  if (!corporateNetwork.contains(context.request.ip)) {
    context.multifactor = {
      provider: 'guardian',
      allowRememberBrowser: false
    };
  }

  callback(null, user, context);
}
