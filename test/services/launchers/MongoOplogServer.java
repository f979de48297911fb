import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * mongo-java-server with its oplog enabled, so that MongoDB change streams work. None of the
 * library's own main classes calls enableOplog(), hence this launcher. Run it without compiling:
 *
 *   java -cp 'lib/*' MongoOplogServer.java HOST PORT [H2_FILE]
 *
 * With H2_FILE the databases and the oplog live in that H2 MVStore file and survive a restart
 * (needed by outage tests that resume a change stream); without it they are in memory.
 */
public class MongoOplogServer {
    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: MongoOplogServer HOST PORT [H2_FILE]");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        MongoBackend backend = args.length == 3 ? new H2Backend(args[2]) : new MemoryBackend();
        MongoServer server = new MongoServer(backend);
        server.enableOplog();
        server.bind(host, port);
        // SIGTERM runs the hook: the H2 backend commits and closes its file there.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "shutdown"));
        System.out.println("mongo-oplog listening on " + host + ":" + port + (args.length == 3 ? " (h2 " + args[2] + ")" : " (memory)"));
    }
}
