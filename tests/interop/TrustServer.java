// A Java TLS server that trusts what certgate's trust store holds (the Airlock IAM case): an
// SSLServerSocket with the JDK's PKIX trust manager over `certgate truststore build`'s PKCS#12
// file, requiring a client certificate, and a server identity from `certgate keystore build`.
//
//   CERTGATE_PASSWORD=changeit java TrustServer.java KEYSTORE.p12 TRUSTSTORE.p12 CONNECTIONS
//
// Listens on 127.0.0.1 on an ephemeral port and prints `listening PORT`; then serves at most
// CONNECTIONS connections and exits. Each accepted client gets `HTTP/1.1 200` with its subject
// in the body, and a line `accepted SUBJECT` on standard output; a refused handshake prints
// `refused EXCEPTION`. Bounded: 30 s for each accept, 10 s for each connection's I/O.

import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class TrustServer {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java TrustServer.java KEYSTORE.p12 TRUSTSTORE.p12 CONNECTIONS");
            System.exit(2);
        }
        String env = System.getenv("CERTGATE_PASSWORD");
        char[] password = (env == null ? "changeit" : env).toCharArray();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(args[0], password), password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(args[1], password));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        int connections = Integer.parseInt(args[2]);

        try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            server.setNeedClientAuth(true);
            server.setSoTimeout(30_000);
            System.out.println("listening " + server.getLocalPort());
            System.out.flush();
            for (int i = 0; i < connections; i++) {
                try (Socket accepted = server.accept()) {
                    serve((SSLSocket) accepted);
                } catch (SocketTimeoutException e) {
                    System.out.println("timeout no client within 30 s");
                    break;
                }
                System.out.flush();
            }
        }
    }

    static void serve(SSLSocket socket) {
        try {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            String subject = leaf.getSubjectX500Principal().getName();
            readHead(socket.getInputStream());
            byte[] body = ("hello " + subject + "\n").getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            System.out.println("accepted " + subject);
        } catch (Exception e) {
            System.out.println("refused " + e.toString().replace('\n', ' '));
        }
    }

    /** Reads a request head (up to the blank line, at most 16 KiB). */
    static void readHead(InputStream in) throws Exception {
        int state = 0;
        for (int n = 0; n < 16384; n++) {
            int b = in.read();
            if (b < 0) return;
            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
            if (state == 4) return;
        }
    }

    static KeyStore load(String path, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(path)) {
            store.load(in, password);
        }
        return store;
    }
}
