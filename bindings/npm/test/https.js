'use strict';
// HTTPS requests on loopback for the tests: one request per connection unless an agent is
// given, answers as {status, headers, body (parsed JSON when it is JSON)} or the error; and the
// CA names a server asks for, as openssl s_client prints them.

const { execFile } = require('node:child_process');
const https = require('node:https');

function request(port, urlPath, tlsOptions = {}, { method = 'GET', agent } = {}) {
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port, path: urlPath, method, agent: agent ?? false, servername: 'localhost', ...tlsOptions },
      (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let body = text;
          if ((res.headers['content-type'] || '').startsWith('application/json')) body = JSON.parse(text);
          resolve({ status: res.statusCode, headers: res.headers, body });
        });
      },
    );
    req.on('error', (error) => resolve({ error }));
    req.end();
  });
}

/**
 * The CA names the server on `port` sends in its CertificateRequest, one `O = …, CN = …` string
 * per name, as `openssl s_client` prints them (trusting `caFile` for the server's chain).
 */
function requestedCaNames(port, caFile) {
  return new Promise((resolve) => {
    execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', caFile], { timeout: 10000 }, (error, stdout) => {
      // The names follow this heading, one a line.
      const lines = stdout.split('\n');
      const at = lines.indexOf('Acceptable client certificate CA names');
      const found = [];
      for (let i = at + 1; at !== -1 && i < lines.length && lines[i].includes(' = '); i++) found.push(lines[i]);
      resolve(found);
    }).stdin.end();
  });
}

module.exports = { request, requestedCaNames };
