function setSeller(user, context, callback) {
  var request = require('request');
  var GENERIC = 'Login is temporarily unavailable. Please try again later.';
  var EMAIL = /^[\w+-]+(?:\.[\w+-]+)*@[\da-zA-Z]+(?:[.-][\da-zA-Z]+)*\.[a-zA-Z]{2,}$/u;
  var MAX_BODY = 64 * 1024;

  // What later rules read: the seller (null when the user is none) and whether the lookup failed. Set on `user`,
  // so they live for this login only and are never written to the profile.
  user.seller = null;
  user.seller_lookup_failed = false;

  // The seller API's base URL, e.g. https://sellers.example.com (trailing slashes are dropped).
  var baseUrl = String(configuration.SELLER_API_URL || '').replace(/\/+$/, '');
  var valid = false;
  try {
    valid = /^https?:$/.test(new URL(baseUrl).protocol);
  } catch (e) {
    valid = false;
  }
  if (!valid) {
    console.log('SELLER_API_URL is missing or not an http(s) URL');
    return callback(new Error(GENERIC));
  }

  // app_metadata.sellerId: a non-empty string (trimmed, at most 256 characters) or an integer; absent or null means
  // "not a seller". Anything else is a broken profile.
  var raw = (user.app_metadata || {}).sellerId;
  var sellerId = null;
  if (typeof raw === 'string') {
    sellerId = raw.trim();
    if (sellerId.length === 0 || sellerId.length > 256 || sellerId === '.' || sellerId === '..') sellerId = undefined;
  } else if (typeof raw === 'number') {
    sellerId = Number.isSafeInteger(raw) ? String(raw) : undefined;
  } else if (raw !== undefined && raw !== null) {
    sellerId = undefined;
  }
  if (sellerId === undefined) {
    console.log('app_metadata.sellerId is not a seller id');
    return callback(new Error(GENERIC));
  }
  if (sellerId === null) return callback(null, user, context);

  // The id as a path segment; an id that cannot be one (a lone UTF-16 surrogate) is a broken profile too.
  var segment;
  try {
    segment = encodeURIComponent(sellerId);
  } catch (e) {
    console.log('app_metadata.sellerId cannot be put in a URL');
    return callback(new Error(GENERIC));
  }

  // A failed lookup does not deny here: denyRoles denies it, after its own check, so that a user whose role is not
  // allowed is told so even while the seller API is down.
  function failed(detail) {
    console.log('seller lookup failed: ' + detail);
    user.seller_lookup_failed = true;
    callback(null, user, context);
  }

  function found(body) {
    // A UTF-8 byte order mark is not part of the JSON.
    if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
    if (body.length > MAX_BODY) return failed('body is over ' + MAX_BODY + ' characters');
    var seller;
    try {
      seller = JSON.parse(body);
    } catch (e) {
      return failed('body is not JSON');
    }
    if (
      !seller || typeof seller !== 'object' ||
      typeof seller.id !== 'string' || seller.id.length === 0 ||
      typeof seller.email !== 'string' || !EMAIL.test(seller.email) ||
      typeof seller.name !== 'string'
    ) {
      return failed('body is not a seller');
    }
    // Someone else's seller must never end up in this user's token.
    if (seller.id !== sellerId) return failed('body is a different seller');
    user.seller = { id: seller.id, email: seller.email, name: seller.name };
    context.idToken['https://example.com/seller'] = { id: seller.id, email: seller.email, name: seller.name };
    callback(null, user, context);
  }

  // fetch, which the Action runs on, refuses a URL that holds credentials (user:password@): the lookup fails.
  var parsed = new URL(baseUrl);
  if (parsed.username || parsed.password) return failed('connection failed: credentials in SELLER_API_URL');

  // GET is idempotent: one retry after a timeout, a connection failure, a redirect or a 5xx. Each try has 2 s.
  function attempt(retries) {
    request({
      url: baseUrl + '/seller/' + segment,
      headers: { accept: 'application/json' },
      timeout: 2000,
      followRedirect: false
    }, function (err, response, body) {
      var status = response ? response.statusCode : 0;
      var retryable = false;
      var detail;
      if (err && err.code === 'EBODYTOOLARGE') {
        // The body is over 1 MiB, too large to read. A seller body that large is refused; an error page that large
        // (404, 5xx) counts by its status when the error carries it.
        if (!(err.statusCode >= 300)) return failed('body is too large');
        status = err.statusCode;
        err = null;
      }
      if (err) {
        retryable = true;
        detail = err.code === 'ETIMEDOUT' ? 'no answer in 2000 ms' : 'connection failed: ' + err.code;
      } else if (status === 404) {
        return callback(null, user, context);
      } else if (status >= 200 && status < 300) {
        return found(String(body));
      } else {
        retryable = status >= 500 || [301, 302, 303, 307, 308].indexOf(status) !== -1;
        detail = 'status ' + status;
      }
      if (retryable && retries > 0) return attempt(retries - 1);
      failed(detail);
    });
  }

  attempt(1);
}
