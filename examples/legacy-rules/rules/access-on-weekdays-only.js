/**
 * The Timesheets app can only be used from Monday to Friday.
 */
function (user, context, callback) {
  if (context.clientName === 'Timesheets') {
    var d = new Date().getDay();

    if (d === 0 || d === 6) {
      return callback(new UnauthorizedError('This app is only available during the week.'));
    }
  }

  callback(null, user, context);
}
