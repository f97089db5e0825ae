'use strict';
// HTTPS requests on loopback for the tests: one request per connection unless an agent is
// given, answers as {status, headers, body (parsed JSON when it is JSON)} or the error.

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

module.exports = { request };
