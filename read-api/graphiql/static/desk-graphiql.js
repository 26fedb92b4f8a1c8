// The desk's GraphiQL glue, loaded after react, react-dom, graphiql and graphql-ws (UMD globals), all
// served by the ledger. A file of its own, not an inline script, so the page's CSP can say script-src 'self'.
//
// The token: typed into the bar (or passed as #token=... in the URL, which is then removed from the
// address bar), kept in sessionStorage for this tab only, and sent as `Authorization: Bearer` on every
// request; an Authorization header in GraphiQL's Headers tab wins over it.
/* global React, ReactDOM, GraphiQL, graphqlWs */
(function deskGraphiql() {
  'use strict';
  const TOKEN_KEY = 'nicegold.token';
  const endpoint = new URL('/graphql', window.location.href);
  const socketUrl = endpoint.href.replace(/^http/, 'ws');

  const readToken = () => window.sessionStorage.getItem(TOKEN_KEY) || '';
  const fromFragment = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromFragment) {
    window.sessionStorage.setItem(TOKEN_KEY, fromFragment);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }

  const bearer = () => (readToken() ? { authorization: 'Bearer ' + readToken() } : {});
  const hasAuthorization = (headers) => Object.keys(headers || {}).some((k) => k.toLowerCase() === 'authorization');

  let socket;
  const subscriptions = () => {
    socket = socket || graphqlWs.createClient({
      url: socketUrl,
      lazy: true,
      connectionParams: () => bearer(),
    });
    return socket;
  };

  const isSubscription = (params) => {
    const source = String(params.query || '').replace(/#[^\n]*/g, '');
    if (params.operationName) return new RegExp('\\bsubscription\\s+' + params.operationName + '\\b').test(source);
    return /^\s*subscription\b/.test(source);
  };

  const fetcher = async (params, options) => {
    const tabHeaders = (options && options.headers) || {};
    if (isSubscription(params)) return subscriptions().iterate(params);
    const response = await window.fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(hasAuthorization(tabHeaders) ? {} : bearer()), ...tabHeaders },
      body: JSON.stringify(params),
      credentials: 'omit',
    });
    return response.json();
  };

  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  let mounts = 0;
  // A new key remounts GraphiQL, which fetches the schema again with the token now in force.
  const render = () => root.render(React.createElement(GraphiQL, { key: String(++mounts), fetcher, shouldPersistHeaders: false }));

  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  const status = document.getElementById('token-status');
  const showStatus = () => { status.textContent = readToken() ? 'token set for this tab' : 'no token: GraphQL answers 401'; };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim().replace(/^Bearer\s+/i, '');
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
    input.value = '';
    if (socket) { void socket.dispose(); socket = undefined; }
    showStatus();
    render();
  });
  showStatus();
  render();
})();
