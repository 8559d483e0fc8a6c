/*
 * Local development Neo4j for partnergraph.
 *
 * Runs Neo4j 5.26 LTS Community embedded (official org.neo4j artifacts from
 * Maven Central, see tools/neo4j/pom.xml) with a Bolt connector, so the Go
 * code talks to it exactly like to a Neo4j server.
 *
 * Not meant to be run by hand: scripts/neo4j resolves the classpath, starts
 * this as a single-file source program in the background and waits for the
 * ready marker:
 *
 *     CLASSPATH="$cp" java -Xmx512m tools/neo4j/Launcher.java
 *
 * Environment (all optional):
 *   NEO4J_PORT          Bolt port on 127.0.0.1             (7687)
 *   NEO4J_USER          user the Go code logs in as         (neo4j)
 *   NEO4J_PASSWORD      its password, >= 8 characters       (partnergraph)
 *   NEO4J_DATA_DIR      Neo4j home: store, logs, markers    (.data/neo4j)
 *   NEO4J_PAGECACHE     page cache size                     (128m)
 *   NEO4J_TX_MEMORY     cap on memory of all transactions   (256m)
 *   NEO4J_TX_MAX_MEMORY cap on memory of one transaction    (128m)
 *
 * Layout under NEO4J_DATA_DIR: data/ (databases and transaction logs),
 * logs/debug.log (size capped), conf/server-logs.xml (written on every
 * start), ready (marker, present only while serving).
 */

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public class Launcher {
    private static final String DEFAULT_USER = "neo4j";
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

    public static void main(String[] args) throws Exception {
        int port = intEnv("NEO4J_PORT", 7687);
        String user = env("NEO4J_USER", DEFAULT_USER);
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            password = "partnergraph";
        }
        Path home = Path.of(env("NEO4J_DATA_DIR", ".data/neo4j")).toAbsolutePath().normalize();
        long pageCache = bytesEnv("NEO4J_PAGECACHE", "128m");
        long txTotal = bytesEnv("NEO4J_TX_MEMORY", "256m");
        long txMax = bytesEnv("NEO4J_TX_MAX_MEMORY", "128m");

        if (password.length() < 8) {
            fail("NEO4J_PASSWORD must be at least 8 characters (Neo4j's minimum password length)");
        }
        if (!USER_NAME.matcher(user).matches()) {
            fail("NEO4J_USER '" + user + "' is not a plain user name (letters, digits, _ . -; starting with a letter)");
        }
        if (port < 1 || port > 65535) {
            fail("NEO4J_PORT " + port + " is not a TCP port");
        }

        Files.createDirectories(home);
        Path ready = home.resolve("ready");
        Files.deleteIfExists(ready);

        // Fail early and clearly instead of deep inside Neo4j's start-up.
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        } catch (IOException e) {
            fail("port 127.0.0.1:" + port + " is already in use (" + e.getMessage() + ")");
        }

        Path logConfig = writeLogConfig(home);

        Map<org.neo4j.graphdb.config.Setting<?>, Object> cfg = new HashMap<>();
        // Network: Bolt on loopback only, nothing else listening.
        cfg.put(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"));
        cfg.put(BoltConnector.enabled, true);
        cfg.put(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port));
        cfg.put(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port));
        cfg.put(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED);
        cfg.put(HttpConnector.enabled, false);
        cfg.put(HttpsConnector.enabled, false);
        // Server-side routing would open a second listener (default :7688),
        // which collides with a second instance on port 7688.
        cfg.put(GraphDatabaseSettings.routing_enabled, false);
        cfg.put(GraphDatabaseSettings.auth_enabled, true);
        // No 5 s lock-out after 3 wrong passwords: tests that check a wrong
        // password is refused must not break the next test's login.
        cfg.put(GraphDatabaseSettings.auth_max_failed_attempts, 0);
        cfg.put(GraphDatabaseSettings.udc_enabled, false);
        // Memory: small and explicit (defaults size the page cache from machine RAM).
        cfg.put(GraphDatabaseSettings.pagecache_memory, pageCache);
        cfg.put(GraphDatabaseSettings.memory_transaction_global_max_size, txTotal);
        cfg.put(GraphDatabaseSettings.memory_transaction_max_size, txMax);
        cfg.put(GraphDatabaseSettings.pagecache_warmup_enabled, false);
        // Disk: small transaction log files, keep little history.
        cfg.put(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(16));
        cfg.put(GraphDatabaseSettings.keep_logical_logs, "64M size");
        cfg.put(GraphDatabaseSettings.preallocate_logical_logs, false);
        // Logs: debug.log capped (see writeLogConfig), no query log.
        cfg.put(GraphDatabaseSettings.server_logging_config_path, logConfig);
        cfg.put(GraphDatabaseSettings.log_queries, GraphDatabaseSettings.LogQueryLevel.OFF);
        cfg.put(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5));
        // Bolt's Netty event loops otherwise idle 5 s each (two loops) before
        // exiting, after the databases are already stopped: stop takes ~12 s
        // instead of ~2 s. Internal settings, verified against 5.26.30.
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5));

        // The hook is registered before build() so that a SIGTERM arriving
        // during start-up still waits for Neo4j and shuts it down cleanly.
        CompletableFuture<DatabaseManagementService> built = new CompletableFuture<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j launcher: shutting down");
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
            }
            try {
                DatabaseManagementService dbms = built.get(120, TimeUnit.SECONDS);
                dbms.shutdown();
                Files.deleteIfExists(ready); // in case start-up raced with the signal
                System.out.println("neo4j launcher: stopped cleanly");
            } catch (ExecutionException e) {
                // build() failed: nothing to shut down.
            } catch (Throwable t) {
                System.out.println("neo4j launcher: shutdown failed: " + t);
            } finally {
                stopped.countDown();
            }
        }, "neo4j-launcher-shutdown"));

        long t0 = System.nanoTime();
        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home)
                    .setConfig(cfg)
                    .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                    .build();
        } catch (Throwable t) {
            built.completeExceptionally(t);
            t.printStackTrace(System.out);
            fail("Neo4j failed to start (details above and in " + home.resolve("logs/debug.log") + ")");
            return;
        }
        built.complete(dbms);

        String version;
        try {
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            ensureUser(system, user, password);
            version = components(system);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.println("neo4j launcher: setting up user '" + user + "' failed, exiting");
            System.out.flush();
            // The shutdown hook stops Neo4j cleanly.
            System.exit(1);
            return;
        }

        Path tmp = home.resolve("ready.tmp");
        Files.writeString(tmp, "pid=" + ProcessHandle.current().pid() + "\nport=" + port + "\nversion=" + version + "\n",
                StandardCharsets.UTF_8);
        Files.move(tmp, ready, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("neo4j ready on bolt://127.0.0.1:%d (%s) in %.1fs%n", port, version,
                (System.nanoTime() - t0) / 1e9);
        System.out.flush();

        stopped.await(); // until SIGTERM/SIGINT runs the shutdown hook
    }

    /**
     * Makes sure {@code user} can log in with {@code password}. Neo4j Community
     * supports native user management (CREATE/ALTER USER; roles are
     * Enterprise-only), so another user than neo4j is created when missing.
     */
    private static void ensureUser(GraphDatabaseService system, String user, String password) {
        boolean exists;
        try (Transaction tx = system.beginTx()) {
            try (Result r = tx.execute("SHOW USERS YIELD user WHERE user = $user RETURN user", Map.of("user", user))) {
                exists = r.hasNext();
            }
            tx.commit();
        }
        String quoted = "`" + user + "`";
        if (!exists) {
            run(system, "CREATE USER " + quoted + " SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            System.out.println("neo4j launcher: created user '" + user + "'");
        } else {
            try {
                run(system, "ALTER USER " + quoted + " SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
                System.out.println("neo4j launcher: password of user '" + user + "' set");
            } catch (RuntimeException e) {
                if (!sameOrNoChange(e)) {
                    throw e;
                }
                // Password already is the wanted one: only clear a pending change requirement.
                run(system, "ALTER USER " + quoted + " SET PASSWORD CHANGE NOT REQUIRED", Map.of());
                System.out.println("neo4j launcher: password of user '" + user + "' unchanged");
            }
        }
        if (!user.equals(DEFAULT_USER)) {
            // Do not leave the built-in admin with its well-known initial
            // password 'neo4j' (claimable by anyone on this host): give it the same password.
            boolean pending;
            try (Transaction tx = system.beginTx()) {
                try (Result r = tx.execute(
                        "SHOW USERS YIELD user, passwordChangeRequired WHERE user = $user RETURN passwordChangeRequired",
                        Map.of("user", DEFAULT_USER))) {
                    pending = r.hasNext() && Boolean.TRUE.equals(r.next().get("passwordChangeRequired"));
                }
                tx.commit();
            }
            if (pending) {
                run(system, "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
                System.out.println("neo4j launcher: initial password of built-in user 'neo4j' replaced");
            }
        }
    }

    private static boolean sameOrNoChange(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage()).toLowerCase();
            if (m.contains("old password and new password cannot be the same")) {
                return true;
            }
        }
        return false;
    }

    private static void run(GraphDatabaseService db, String cypher, Map<String, Object> params) {
        try (Transaction tx = db.beginTx()) {
            tx.execute(cypher, params).close();
            tx.commit();
        }
    }

    private static String components(GraphDatabaseService system) {
        try (Transaction tx = system.beginTx()) {
            try (Result r = tx.execute("CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition")) {
                Map<String, Object> row = r.next();
                String s = row.get("v") + " " + row.get("edition");
                tx.commit();
                return s;
            }
        }
    }

    /** A compact log4j2 configuration: debug.log at most ~3 x 10 MB, security.log ~2 x 5 MB. */
    private static Path writeLogConfig(Path home) throws IOException {
        String xml = String.join("\n", List.of(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<!-- Written by tools/neo4j/Launcher.java on every start; edits are overwritten. -->",
                "<Configuration status=\"ERROR\">",
                "  <Appenders>",
                "    <RollingRandomAccessFile name=\"DebugLog\" fileName=\"${config:server.directories.logs}/debug.log\"",
                "                             filePattern=\"$${config:server.directories.logs}/debug.log.%02i\">",
                "      <Neo4jDebugLogLayout pattern=\"%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p [%c{1.}] %m%n\"/>",
                "      <Policies><SizeBasedTriggeringPolicy size=\"10 MB\"/></Policies>",
                "      <DefaultRolloverStrategy fileIndex=\"min\" max=\"2\"/>",
                "    </RollingRandomAccessFile>",
                "    <RollingRandomAccessFile name=\"SecurityLog\" fileName=\"${config:server.directories.logs}/security.log\"",
                "                             filePattern=\"$${config:server.directories.logs}/security.log.%02i\">",
                "      <PatternLayout pattern=\"%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n\"/>",
                "      <Policies><SizeBasedTriggeringPolicy size=\"5 MB\"/></Policies>",
                "      <DefaultRolloverStrategy fileIndex=\"min\" max=\"1\"/>",
                "    </RollingRandomAccessFile>",
                "  </Appenders>",
                "  <Loggers>",
                "    <Root level=\"INFO\"><AppenderRef ref=\"DebugLog\"/></Root>",
                "    <Logger name=\"SecurityLogger\" level=\"INFO\" additivity=\"false\"><AppenderRef ref=\"SecurityLog\"/></Logger>",
                "    <Logger name=\"QueryLogger\" level=\"OFF\" additivity=\"false\"/>",
                "    <Logger name=\"HttpLogger\" level=\"OFF\" additivity=\"false\"/>",
                "  </Loggers>",
                "</Configuration>",
                ""));
        Path conf = home.resolve("conf");
        Files.createDirectories(conf);
        Path file = conf.resolve("server-logs.xml");
        Files.writeString(file, xml, StandardCharsets.UTF_8);
        return file;
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v.trim();
    }

    private static long bytesEnv(String name, String def) {
        String v = env(name, def);
        try {
            return ByteUnit.parse(v);
        } catch (RuntimeException e) {
            fail(name + "='" + v + "' is not a size like 128m or 1g");
            return 0;
        }
    }

    private static int intEnv(String name, int def) {
        String v = env(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            fail(name + "='" + v + "' is not a number");
            return def;
        }
    }

    private static void fail(String msg) {
        System.out.println("neo4j launcher: " + msg);
        System.out.flush();
        System.exit(2);
    }
}
