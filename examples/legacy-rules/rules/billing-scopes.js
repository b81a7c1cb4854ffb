/**
 * Billing: every Billing token may read invoices; only billing admins keep write:invoices.
 */
function (user, context, callback) {
  if (context.clientID !== 'billing-id') {
    return callback(null, user, context);
  }

  var scopes = (context.request.query.scope || '').match(/\S+/g) || [];
  if (!(user.app_metadata || {}).billing_admin) {
    scopes = scopes.filter(function (s) { return s !== 'write:invoices'; });
  }
  scopes.push('read:invoices');

  context.accessToken.scope = scopes;
  callback(null, user, context);
}
