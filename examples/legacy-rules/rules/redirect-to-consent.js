/**
 * Marketplace: send users to the consent page until they have accepted the terms.
 *
 * When the user comes back (/continue?consent=yes), every rule runs again with
 * context.protocol === 'redirect-callback': store the consent, or refuse the login.
 */
function (user, context, callback) {
  if (context.clientName !== 'Marketplace') {
    return callback(null, user, context);
  }

  user.app_metadata = user.app_metadata || {};

  // Rules ignore a redirect set when the login comes back from one.
  if (!user.app_metadata.consent_given) {
    context.redirect = { url: configuration.CONSENT_URL };
  }

  if (context.protocol !== 'redirect-callback') {
    return callback(null, user, context);
  }

  if (context.request.query.consent !== 'yes') {
    return callback(new UnauthorizedError('You must accept the terms.'));
  }

  auth0.users.updateAppMetadata(user.user_id, { consent_given: true })
    .then(function () {
      callback(null, user, context);
    })
    .catch(callback);
}
