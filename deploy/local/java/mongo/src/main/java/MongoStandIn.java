import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.File;
import java.util.concurrent.CountDownLatch;

/**
 * Local MongoDB stand-in for development and tests (NOT a production database).
 *
 * <p>Runs mongo-java-server on a TCP port and speaks the MongoDB wire protocol.
 *
 * <pre>
 *   java -cp 'classes:libs/*' MongoStandIn [--mode test|stack] [--host 127.0.0.1] [--port 27017]
 *                                          [--data-file .local/data/mongo/tthc.mv]
 * </pre>
 *
 * <ul>
 *   <li>{@code --mode test}: in-memory backend, data is lost when the process stops.</li>
 *   <li>{@code --mode stack} (default): H2 MVStore file backend, data survives a restart.</li>
 * </ul>
 *
 * <p>The server reports MongoDB 5.0 ({@link ServerVersion#MONGO_5_0}, maxWireVersion 8) because the
 * Node.js driver 6.x refuses servers whose maxWireVersion is below 8 (MongoDB 4.2). See
 * docs/local-infrastructure.md.
 */
public final class MongoStandIn {

    private MongoStandIn() {
    }

    public static void main(String[] args) throws Exception {
        // slf4j-simple configuration: must be set before the first logger is created.
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.logFile", "System.out");
        // Per-connection open/close messages are logged at INFO by mongo-java-server; keep them out.
        setDefault("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoWireProtocolHandler", "warn");
        setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
        // Every client that closes its socket abruptly (driver pools, killed test processes) makes
        // MongoExceptionHandler log "Connection reset" with a full stack trace at ERROR. Off by default;
        // re-enable with MONGO_JAVA_OPTS=-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoExceptionHandler=error
        setDefault("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoExceptionHandler", "off");

        String mode = "stack";
        String host = "127.0.0.1";
        int port = 27017;
        String dataFile = null;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--mode":
                    mode = requireValue(args, ++i, arg);
                    break;
                case "--host":
                    host = requireValue(args, ++i, arg);
                    break;
                case "--port":
                    port = Integer.parseInt(requireValue(args, ++i, arg));
                    break;
                case "--data-file":
                    dataFile = requireValue(args, ++i, arg);
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: MongoStandIn [--mode test|stack] [--host H] [--port P] [--data-file F]");
                    return;
                default:
                    System.err.println("MongoStandIn: unknown argument: " + arg);
                    System.exit(2);
            }
        }

        final MongoBackend backend;
        final String description;
        switch (mode) {
            case "test":
                backend = new MemoryBackend();
                description = "in-memory backend (data is lost on stop)";
                break;
            case "stack":
                if (dataFile == null) {
                    System.err.println("MongoStandIn: --mode stack needs --data-file");
                    System.exit(2);
                }
                File file = new File(dataFile).getAbsoluteFile();
                File dir = file.getParentFile();
                if (dir != null && !dir.isDirectory() && !dir.mkdirs()) {
                    System.err.println("MongoStandIn: cannot create directory " + dir);
                    System.exit(2);
                }
                backend = new H2Backend(file.getPath());
                description = "H2 file backend " + file.getPath();
                break;
            default:
                System.err.println("MongoStandIn: --mode must be 'test' or 'stack', got: " + mode);
                System.exit(2);
                return;
        }
        backend.version(ServerVersion.MONGO_5_0);

        final MongoServer server = new MongoServer(backend);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("MongoStandIn: shutting down");
            try {
                // shutdown() closes client connections and the backend (H2 commits and closes the file).
                server.shutdown();
            } catch (RuntimeException e) {
                System.out.println("MongoStandIn: error during shutdown: " + e);
            }
            System.out.println("MongoStandIn: stopped");
            System.out.flush();
            stopped.countDown();
        }, "mongo-stand-in-shutdown"));

        try {
            server.bind(host, port);
        } catch (RuntimeException e) {
            System.err.println("MongoStandIn: cannot listen on " + host + ":" + port + ": " + e);
            System.exit(3);
        }
        System.out.println("MongoStandIn: listening on " + host + ":" + port + ", mode=" + mode + ", " + description
                + ", reported server version 5.0.0 (maxWireVersion " + ServerVersion.MONGO_5_0.getWireVersion() + ")");
        System.out.flush();
        stopped.await();
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String requireValue(String[] args, int index, String name) {
        if (index >= args.length) {
            System.err.println("MongoStandIn: " + name + " needs a value");
            System.exit(2);
        }
        return args[index];
    }
}
