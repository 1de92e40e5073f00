using System.Diagnostics;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace MasStack.AppHost;

/// <summary>
/// What the services stand on: one PostgreSQL server with a database per service, Redis and RabbitMQ. The
/// resources carry the same names (<c>postgres</c>, <c>redis</c>, <c>rabbitmq</c>, <c>{service}db</c>) and hand
/// out the same kind of connection strings whichever way they run, so a service's code, and a test that stops and
/// starts <c>rabbitmq</c> by name, are the same in both modes.
/// </summary>
public sealed record SuiteInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Postgres,
    IReadOnlyDictionary<string, IResourceBuilder<IResourceWithConnectionString>> Databases,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> RabbitMq)
{
    /// <summary>The database of <paramref name="service"/>, referenced as <c>ConnectionStrings__{service}db</c>.</summary>
    public IResourceBuilder<IResourceWithConnectionString> DatabaseOf(string service) => Databases[ResourceNames.Database(service)];
}

public enum InfrastructureMode { Containers, Local }

public static class InfrastructureExtensions
{
    /// <summary>Configuration: <c>auto</c> (default), <c>containers</c> or <c>local</c>.</summary>
    public const string ModeKey = "MasStack:Infrastructure";

    /// <summary>
    /// Adds the infrastructure as containers where a container runtime answers (the usual Aspire way), else as the
    /// locally installed PostgreSQL, Redis and RabbitMQ run as executables (see <see cref="LocalInfrastructure"/>).
    /// </summary>
    public static SuiteInfrastructure AddInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = ChooseMode(builder.Configuration);
        Console.WriteLine($"MasStack infrastructure: {mode}.");
        return mode == InfrastructureMode.Containers
            ? AddContainers(builder)
            : LocalInfrastructure.Add(builder);
    }

    private static SuiteInfrastructure AddContainers(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres(ResourceNames.Postgres);
        var databases = ResourceNames.ServicesWithDatabases
            .Select(ResourceNames.Database)
            .ToDictionary(db => db, db => (IResourceBuilder<IResourceWithConnectionString>)postgres.AddDatabase(db));
        var redis = builder.AddRedis(ResourceNames.Redis);
        var rabbitmq = builder.AddRabbitMQ(ResourceNames.RabbitMq);
        return new SuiteInfrastructure(postgres, databases, redis, rabbitmq);
    }

    private static InfrastructureMode ChooseMode(IConfiguration configuration)
    {
        var configured = configuration[ModeKey];
        if (string.Equals(configured, "containers", StringComparison.OrdinalIgnoreCase)) return InfrastructureMode.Containers;
        if (string.Equals(configured, "local", StringComparison.OrdinalIgnoreCase)) return InfrastructureMode.Local;
        if (!string.IsNullOrEmpty(configured) && !string.Equals(configured, "auto", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{ModeKey} is '{configured}'; use 'auto', 'containers' or 'local'.");
        }

        if (ContainerRuntimeAnswers("docker") || ContainerRuntimeAnswers("podman")) return InfrastructureMode.Containers;

        var missing = LocalInfrastructure.MissingBinaries();
        if (missing.Count == 0) return InfrastructureMode.Local;

        throw new InvalidOperationException(
            "MasStack needs PostgreSQL, Redis and RabbitMQ: no container runtime answers (docker info / podman info) " +
            $"and these local binaries are missing: {string.Join(", ", missing)}. " +
            "Install them with `apt-get install postgresql redis-server rabbitmq-server`, or install a container runtime (Docker or Podman).");
    }

    /// <summary>True when <c>{runtime} info</c> exits 0 within a few seconds (a client alone, without an engine, does not).</summary>
    private static bool ContainerRuntimeAnswers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return false;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (process.WaitForExit(TimeSpan.FromSeconds(5))) return process.ExitCode == 0;
            process.Kill(entireProcessTree: true);
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
