function hashSellerEmail(user, context, callback) {
  var crypto = require('crypto');

  // Checked on every login, seller or not, so a missing secret shows up at once.
  var secret = configuration.INTERCOM_SECRET;
  if (!secret) {
    console.log('INTERCOM_SECRET is not set');
    return callback(new Error('Login is temporarily unavailable. Please try again later.'));
  }

  // user.seller comes from setSeller; users who are not sellers get no hash.
  if (!user.seller) return callback(null, user, context);

  context.idToken['https://example.com/seller_email_hash'] = crypto
    .createHmac('sha256', secret)
    .update(user.seller.email, 'utf8')
    .digest('hex');
  callback(null, user, context);
}
