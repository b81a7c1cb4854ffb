/**
 * Travel Planner: add the country and time zone of the login to the ID token.
 */
function (user, context, callback) {
  if (context.clientName !== 'Travel Planner') {
    return callback(null, user, context);
  }

  var namespace = 'https://example.com/';
  if (context.request.geoip) {
    context.idToken[namespace + 'country'] = context.request.geoip.country_name;
    context.idToken[namespace + 'timezone'] = context.request.geoip.time_zone;
  }

  callback(null, user, context);
}
