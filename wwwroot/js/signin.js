// The console's sign-in link carries the key in the URL fragment (#key=...), which browsers never
// send to the server, so it stays out of access logs. Fill the form from it and remove it from the
// address bar and history.
(function () {
  const match = /(?:^#|&)key=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  const input = document.getElementById("key");
  if (!input) return;
  input.value = decodeURIComponent(match[1]);
  history.replaceState(null, "", window.location.pathname + window.location.search);
  input.form.requestSubmit();
})();
