// The Java side of the interop suite (issue 12): java.net.http.HttpClient with an SSLContext
// built from certgate's PKCS#12 files, as AEM's HttpClient or a Dropwizard Jersey client is
// set up: a trust store from `certgate truststore build` and a key store from `certgate demo pki`
// (modern AES) or `certgate convert to-p12 --legacy` (3DES, SHA-1 MAC).
//
//   CERTGATE_PASSWORD=changeit java Client.java TRUSTSTORE.p12 URL KEYSTORE.p12|- [URL KEYSTORE.p12|- ...]
//
// One JSON line per request on standard output, in order: {"status":200,"body":"..."} or
// {"error":"javax.net.ssl.SSLHandshakeException: ..."}. Several requests share one JVM, as
// starting one costs seconds on a busy machine. Every request has a 20 s timeout.

import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class Client {
    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length % 2 == 0) {
            System.err.println("usage: java Client.java TRUSTSTORE.p12 URL KEYSTORE.p12|- [URL KEYSTORE.p12|- ...]");
            System.exit(2);
        }
        String env = System.getenv("CERTGATE_PASSWORD");
        char[] password = (env == null ? "changeit" : env).toCharArray();
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(args[0], password));
        for (int i = 1; i < args.length; i += 2) {
            System.out.println(request(URI.create(args[i]), args[i + 1], password, tmf));
        }
    }

    /** One GET on a fresh client (no connection reuse between identities); a JSON line. */
    static String request(URI uri, String keyStore, char[] password, TrustManagerFactory tmf) {
        try {
            KeyManagerFactory kmf = null;
            if (!keyStore.equals("-")) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(keyStore, password), password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(context)
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(20))
                    .build();
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return "{\"status\":" + response.statusCode() + ",\"body\":" + json(response.body()) + "}";
        } catch (Exception e) {
            return "{\"error\":" + json(e.toString()) + "}";
        }
    }

    /** A PKCS#12 file as a KeyStore (the JDK's own PKCS12 implementation). */
    static KeyStore load(String path, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(path)) {
            store.load(in, password);
        }
        return store;
    }

    static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }
}
