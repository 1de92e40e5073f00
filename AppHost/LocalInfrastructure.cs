using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MasStack.AppHost;

/// <summary>
/// The infrastructure without a container runtime: the locally installed PostgreSQL, Redis and RabbitMQ run as
/// executables under the AppHost's control, with their data under one folder (<c>MasStack:DataDir</c>, default
/// <c>/var/tmp/masstack/suite</c>), on loopback ports of their own, unproxied, and with health checks so that
/// <c>WaitFor</c> waits until each really answers.
/// </summary>
/// <remarks>
/// Configuration: <c>MasStack:DataDir</c>; <c>MasStack:Ports:Postgres</c>, <c>:Redis</c>, <c>:RabbitMq</c>,
/// <c>:RabbitMqDist</c> (each picked free on 127.0.0.1 at start unless set).
/// </remarks>
public static class LocalInfrastructure
{
    public const string DataDirKey = "MasStack:DataDir";
    public const string DefaultDataDir = "/var/tmp/masstack/suite";

    private const string RabbitMqServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const UnixFileMode Traversable = (UnixFileMode)0b111_101_101; // 0755: the postgres user must get through

    /// <summary>The binaries the local mode needs and does not find, by the package that brings them.</summary>
    public static IReadOnlyList<string> MissingBinaries()
    {
        var missing = new List<string>();
        if (PostgresBinDir() is null) missing.Add("PostgreSQL (postgresql: /usr/lib/postgresql/*/bin/postgres)");
        if (RedisServer() is null) missing.Add("Redis (redis-server)");
        if (!File.Exists(RabbitMqServer)) missing.Add($"RabbitMQ (rabbitmq-server: {RabbitMqServer})");
        return missing;
    }

    public static SuiteInfrastructure Add(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var dataDir = Path.GetFullPath(configuration[DataDirKey] is { Length: > 0 } configured ? configured : DefaultDataDir);
        CreateFolder(dataDir);

        var ports = FreePorts(4);
        int PortOf(string key, int index) => configuration.GetValue<int?>($"MasStack:Ports:{key}") ?? ports[index];

        var postgres = AddPostgres(builder, Path.Combine(dataDir, "postgres"), PortOf("Postgres", 0),
            configuration.GetSection("MasStack:Postgres:Settings").GetChildren().Select(setting => $"{setting.Key}={setting.Value}"));
        var databases = ResourceNames.ServicesWithDatabases
            .Select(ResourceNames.Database)
            .ToDictionary(
                db => db,
                IResourceBuilder<IResourceWithConnectionString> (db) =>
                    builder.AddConnectionString(db, ReferenceExpression.Create($"{postgres.Resource};Database={db}")));
        var redis = AddRedis(builder, Path.Combine(dataDir, "redis"), PortOf("Redis", 1));
        var rabbitmq = AddRabbitMq(builder, dataDir, PortOf("RabbitMq", 2), PortOf("RabbitMqDist", 3));

        return new SuiteInfrastructure(postgres, databases, redis, rabbitmq);
    }

    // ---- PostgreSQL -------------------------------------------------------------------------------------------

    /// <summary>
    /// One server for the seven databases, which each service creates at start if missing. PostgreSQL refuses to
    /// run as root, so as root both initdb and the server run as the <c>postgres</c> user, on a data folder it owns.
    /// </summary>
    /// <param name="settings">Server settings beyond ours (<c>MasStack:Postgres:Settings:{name}={value}</c>), e.g. the
    /// statement statistics bench/db_statements.py reads.</param>
    private static IResourceBuilder<LocalServerResource> AddPostgres(IDistributedApplicationBuilder builder, string pgData, int port, IEnumerable<string> settings)
    {
        var bin = PostgresBinDir()!;
        var asPostgresUser = AsPostgresUser(pgData);

        // initdb once: skipped when the folder already holds a cluster (PG_VERSION), so restarts keep the data.
        const string initScript =
            """
            dir="$1"; initdb="$2"; shift 2
            if [ -f "$dir/PG_VERSION" ]; then echo "PostgreSQL data folder $dir is already initialised."; exit 0; fi
            exec "$@" "$initdb" -D "$dir" --auth=trust -U postgres --encoding=UTF8 --locale=C.UTF-8
            """;
        var init = builder
            .AddExecutable($"{ResourceNames.Postgres}-init", "/bin/sh", Path.GetDirectoryName(pgData)!,
                ["-c", initScript, "postgres-init", pgData, Path.Combine(bin, "initdb"), .. asPostgresUser]);

        // The orchestrator stops an executable with SIGTERM, which PostgreSQL takes as a *smart* shutdown (wait
        // until every client has disconnected), and kills it a few seconds later: a crash, and crash recovery at the
        // next start. This shell turns the SIGTERM into SIGINT, PostgreSQL's *fast* shutdown (clients are
        // disconnected, a shutdown checkpoint is written), and exits with the server's status. PostgreSQL logs
        // to stderr, which the dashboard would show as errors: its log goes to stdout instead.
        const string fastShutdownScript =
            """
            exec 2>&1
            "$@" &
            pid=$!
            trap 'kill -INT "$pid" 2>/dev/null' TERM INT
            while :; do
              wait "$pid"; status=$?
              kill -0 "$pid" 2>/dev/null || exit "$status"
            done
            """;
        // Its connection string names no database: each service's adds its own. The services reach the server through a
        // Unix socket in its data folder (its own, so no other cluster's collides with it): on one machine a round trip
        // costs both sides less CPU than TCP over loopback, and a sale makes some two hundred. TCP stays open for the
        // rest (probes, psql), and for a data folder whose path is too long for a socket's.
        var socketFolder = pgData.Length + "/.s.PGSQL.65535".Length <= MaxSocketPath ? pgData : null;
        var server = new LocalServerResource(ResourceNames.Postgres, "/bin/sh", Path.GetDirectoryName(pgData)!, endpoint => socketFolder is null
            ? ReferenceExpression.Create($"Host={endpoint.Property(EndpointProperty.IPV4Host)};Port={endpoint.Property(EndpointProperty.Port)};Username=postgres")
            : ReferenceExpression.Create($"Host={socketFolder};Port={endpoint.Property(EndpointProperty.Port)};Username=postgres"));
        string[] serverArgs =
        [
            "-c", fastShutdownScript, ResourceNames.Postgres,
            .. asPostgresUser, Path.Combine(bin, "postgres"),
            "-D", pgData,
            "-p", Invariant(port),
            "-c", "listen_addresses=127.0.0.1",
            "-c", $"unix_socket_directories={socketFolder}",
            "-c", "max_connections=800",      // every instance's pool (Database:MaxPoolSize, 50) and the tests' own connections
            .. settings.SelectMany(setting => new[] { "-c", setting }),
        ];

        var healthCheck = $"{ResourceNames.Postgres}-local-check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => Probes.PostgresAsync(port, ct));

        return builder.AddResource(server)
            .WithArgs(serverArgs)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalServerResource.EndpointName, isProxied: false)
            .WithHealthCheck(healthCheck)
            .WaitForCompletion(init);
    }

    /// <summary>
    /// As root: <c>setpriv</c> to the postgres user — it execs, so the shutdown signal reaches PostgreSQL itself
    /// (<c>runuser</c> stays as a parent that passes on a SIGTERM and SIGKILLs its child two seconds later, cutting
    /// PostgreSQL's shutdown short) — and the data folder handed to that user. Otherwise: nothing, run as we are.
    /// </summary>
    private static string[] AsPostgresUser(string pgData)
    {
        CreateFolder(pgData, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!Environment.IsPrivilegedProcess) return [];

        Run("chown", "postgres:postgres", pgData);
        return File.Exists("/usr/bin/setpriv")
            ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
            : ["/usr/sbin/runuser", "-u", "postgres", "--"];
    }

    /// <summary>The longest path of a Unix socket (<c>sun_path</c> holds 108 bytes with the terminating zero).</summary>
    private const int MaxSocketPath = 107;

    private static string? PostgresBinDir() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: decimal.TryParse(Path.GetFileName(dir), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(x => File.Exists(Path.Combine(x.Dir, "postgres")) && File.Exists(Path.Combine(x.Dir, "initdb")))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Dir)
                .FirstOrDefault()
            : null;

    // ---- Redis ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Redis holds only short-lived state here — stock reservations with an expiry, idempotency caches, id
    /// leases, cached read models — all of which the services rebuild or re-acquire, so it runs without
    /// persistence (no RDB snapshots, no AOF).
    /// </summary>
    private static IResourceBuilder<LocalServerResource> AddRedis(IDistributedApplicationBuilder builder, string folder, int port)
    {
        CreateFolder(folder);
        var healthCheck = $"{ResourceNames.Redis}-local-check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => Probes.RedisAsync(port, ct));

        return builder.AddResource(new LocalServerResource(ResourceNames.Redis, RedisServer()!, folder, endpoint => ReferenceExpression.Create(
                $"{endpoint.Property(EndpointProperty.IPV4Host)}:{endpoint.Property(EndpointProperty.Port)}")))
            .WithArgs("--port", Invariant(port), "--bind", "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no")
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalServerResource.EndpointName, isProxied: false)
            .WithHealthCheck(healthCheck);
    }

    private static string? RedisServer() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/usr/local/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    // ---- RabbitMQ ---------------------------------------------------------------------------------------------

    /// <summary>
    /// The broker as an ordinary foreground process: the script under /usr/lib/rabbitmq/bin, not the /usr/sbin
    /// wrapper (which switches to the rabbitmq user and logs to /var/log). Its node name is derived from the data
    /// folder, so a stop and start (or the next run on the same folder) finds the same Mnesia database: durable
    /// queues and their persistent messages survive. It takes ~16 s to accept connections.
    /// </summary>
    private static IResourceBuilder<LocalServerResource> AddRabbitMq(IDistributedApplicationBuilder builder, string dataDir, int port, int distPort)
    {
        var folder = Path.Combine(dataDir, "rabbitmq");
        string[] subfolders = ["mnesia", "log", "home"];
        foreach (var sub in subfolders) CreateFolder(Path.Combine(folder, sub));

        var configFile = Path.Combine(folder, "rabbitmq.conf");
        File.WriteAllText(configFile,
            $"""
            # Written by the MasStack AppHost at each start.
            loopback_users = none
            listeners.tcp.default = 127.0.0.1:{Invariant(port)}
            log.console = true
            log.console.level = info
            log.file = rabbit.log
            log.file.level = info
            """ + "\n");
        var pluginsFile = Path.Combine(folder, "enabled_plugins");
        File.WriteAllText(pluginsFile, "[].\n");
        var envFile = Path.Combine(folder, "rabbitmq-env.conf");
        File.WriteAllText(envFile, "# Empty on purpose: keeps /etc/rabbitmq/rabbitmq-env.conf out of this node.\n");

        var healthCheck = $"{ResourceNames.RabbitMq}-local-check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => Probes.RabbitMqAsync(port, ct));

        // The orchestrator stops an executable with SIGTERM and kills it about six seconds later. The script passes the
        // SIGTERM on to the Erlang node and waits for it; a node with many durable queues on a busy machine takes longer,
        // so the script is killed and the node, orphaned, goes on shutting down. Started again at once, a new node would
        // find the node name and the distribution port still taken, and exit. So the start waits for the earlier node
        // (its pid file, checked against its command line, which names this folder's home, so that a reused pid is left
        // alone) to be gone, and kills it after half a minute.
        const string afterEarlierNodeScript =
            """
            pidfile="$1"; home="$2"; shift 2
            pid=$(cat "$pidfile" 2>/dev/null || true)
            waited=0
            while [ -n "$pid" ] && grep -q -a -F -e "$home" "/proc/$pid/cmdline" 2>/dev/null; do
              [ "$waited" = 0 ] && echo "Waiting for the earlier RabbitMQ node (pid $pid) to exit."
              [ "$waited" -ge 300 ] && { echo "Killing the earlier RabbitMQ node (pid $pid)."; kill -KILL "$pid"; }
              sleep 0.1; waited=$((waited + 1))
            done
            exec "$@"
            """;
        var node = $"masstack-{FolderTag(dataDir)}@localhost";
        var home = Path.Combine(folder, "home"); // the Erlang cookie lives here
        var pidFile = Path.Combine(folder, "rabbit.pid");

        return builder.AddResource(new LocalServerResource(ResourceNames.RabbitMq, "/bin/sh", folder, endpoint => ReferenceExpression.Create(
                // guest may connect: loopback_users = none
                $"amqp://guest:guest@{endpoint.Property(EndpointProperty.IPV4Host)}:{endpoint.Property(EndpointProperty.Port)}")))
            .WithArgs("-c", afterEarlierNodeScript, ResourceNames.RabbitMq, pidFile, home, RabbitMqServer)
            .WithEnvironment("RABBITMQ_NODENAME", node)
            .WithEnvironment("RABBITMQ_PID_FILE", pidFile)
            .WithEnvironment("RABBITMQ_NODE_PORT", Invariant(port))
            .WithEnvironment("RABBITMQ_DIST_PORT", Invariant(distPort))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(folder, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(folder, "log"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", configFile)
            .WithEnvironment("RABBITMQ_ADVANCED_CONFIG_FILE", Path.Combine(folder, "advanced.config"))
            .WithEnvironment("RABBITMQ_CONF_ENV_FILE", envFile)
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", pluginsFile)
            .WithEnvironment("HOME", home)
            // Erlang's schedulers spin on an empty run queue before they sleep: on a shared two-core machine that spin
            // takes cores from the services. Idle schedulers sleep at once.
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "+sbwt none +sbwtdcpu none +sbwtdio none")
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalServerResource.EndpointName, isProxied: false)
            .WithHealthCheck(healthCheck);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Eight hex digits that tell data folders apart (and stay the same for one folder).</summary>
    private static string FolderTag(string dataDir) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDir)))[..8];

    private static void CreateFolder(string path, UnixFileMode mode = Traversable)
    {
        if (Directory.Exists(path)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, mode);
    }

    /// <summary>Free loopback ports, all held at once while picking so that they differ from one another.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners) listener.Start();
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners) listener.Stop();
        }
    }

    private static void Run(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"Could not start {command}.");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{command} {string.Join(' ', args)}` exited with {process.ExitCode}.");
        }
    }
}

/// <summary>
/// A locally run server (PostgreSQL, Redis, RabbitMQ) on one unproxied TCP endpoint, and the connection string
/// its clients use, made from that endpoint's host and port.
/// </summary>
public sealed class LocalServerResource(
    string name, string command, string workingDirectory, Func<EndpointReference, ReferenceExpression> connectionString)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ReferenceExpression ConnectionStringExpression => connectionString(new EndpointReference(this, EndpointName));
}
