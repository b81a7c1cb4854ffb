/**
 * Partner Hub: the partner tier of the user's email domain, from a table kept in the
 * PARTNER_TIERS setting. The table is parsed once and cached in global.
 */
function (user, context, callback) {
  if (context.clientName !== 'Partner Hub') {
    return callback(null, user, context);
  }

  if (!global.partnerTiers) {
    global.partnerTiers = JSON.parse(configuration.PARTNER_TIERS);
  }

  var domain = (user.email || '').split('@')[1];
  context.idToken['https://example.com/partner_tier'] = global.partnerTiers[domain] || 'none';

  callback(null, user, context);
}
