using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace MasStack.DeploymentTests;

/// <summary>
/// One project of the AppHost as it would be published: the environment the AppHost gives it, sorted into what a
/// deployment must provide. <see cref="Connections"/>: <c>ConnectionStrings__{name}</c> → the resource (database,
/// cache, broker) behind it; <see cref="Services"/>: the projects whose http endpoint it is given
/// (<c>services__{name}__http__0</c>); <see cref="Settings"/>: plain values the AppHost sets (e.g.
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c>, <c>Messaging__*</c>); <see cref="External"/>: reached from outside (the gateway).
/// </summary>
public sealed record AppModelProject(
    string Name,
    string ProjectDirectory,
    IReadOnlyDictionary<string, string> Connections,
    IReadOnlyList<string> Services,
    IReadOnlyDictionary<string, string> Settings,
    bool External);

public static class AppModel
{
    /// <summary>
    /// Variables that Aspire adds to every project for its own orchestration, each served in the manifests another way:
    /// HTTP_PORTS by the ConfigMaps' ASPNETCORE_HTTP_PORTS, OTLP's in-memory retry is a dashboard concern, and forwarded
    /// headers matter only behind the ingress (the gateway's ConfigMap sets them).
    /// </summary>
    public static readonly IReadOnlySet<string> OrchestrationVariables = new HashSet<string>
    {
        "HTTP_PORTS", "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "ASPNETCORE_FORWARDEDHEADERS_ENABLED",
    };

    private static readonly Lazy<Task<IReadOnlyList<AppModelProject>>> Model = new(LoadAsync);

    /// <summary>The AppHost's projects, read once per test run (its Program runs up to Build; nothing is started).</summary>
    public static Task<IReadOnlyList<AppModelProject>> ProjectsAsync() => Model.Value;

    private static async Task<IReadOnlyList<AppModelProject>> LoadAsync()
    {
        var output = Directory.CreateTempSubdirectory("masstack-apphost-model-");
        try
        {
            // As a publish (the manifest publisher's view): endpoints as references, not as local ports. The
            // infrastructure as containers, so the model does not depend on what this machine has installed.
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MasStack_AppHost>(
                ["--publisher", "manifest", "--output-path", output.FullName, "--MasStack:Infrastructure=containers"]);
            await using var app = await builder.BuildAsync();
            var executionContext = builder.ExecutionContext;
            Assert.True(executionContext.IsPublishMode, "the AppHost's model was not read as a publish");

            var projects = new List<AppModelProject>();
            foreach (var project in builder.Resources.OfType<ProjectResource>())
            {
                var environment = new Dictionary<string, object>();
                var context = new EnvironmentCallbackContext(executionContext, project, environment);
                foreach (var callback in project.Annotations.OfType<EnvironmentCallbackAnnotation>())
                    await callback.Callback(context);
                projects.Add(Describe(project, environment));
            }
            return projects;
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static AppModelProject Describe(ProjectResource project, Dictionary<string, object> environment)
    {
        const string connectionPrefix = "ConnectionStrings__";
        var connections = new Dictionary<string, string>();
        var services = new List<string>();
        var settings = new Dictionary<string, string>();
        var referenced = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (key, value) in environment)
        {
            if (key.StartsWith(connectionPrefix, StringComparison.Ordinal))
            {
                var resource = value switch
                {
                    ConnectionStringReference reference => reference.Resource,
                    IResourceWithConnectionString direct => direct,
                    _ => throw new InvalidOperationException($"{project.Name}: {key} is a {value.GetType().Name}"),
                };
                var name = key[connectionPrefix.Length..];
                connections[name] = Server(resource).Name;
                referenced.Add(name.ToUpperInvariant().Replace('-', '_'));
            }
            else if (key.StartsWith("services__", StringComparison.Ordinal))
            {
                // services__{name}__{endpoint}__{index}
                var parts = key.Split("__");
                if (parts[2] == "http" && !services.Contains(parts[1])) services.Add(parts[1]);
                referenced.Add(parts[1].ToUpperInvariant().Replace('-', '_'));
            }
        }

        foreach (var (key, value) in environment)
        {
            if (value is not string literal || OrchestrationVariables.Contains(key)) continue;
            if (key.StartsWith(connectionPrefix, StringComparison.Ordinal) || key.StartsWith("services__", StringComparison.Ordinal)) continue;
            // Aspire 13 also hands out a reference's parts ({RESOURCE}_HOST, _PORT, _USERNAME, _URI, …): the services
            // read only ConnectionStrings__* and services__*, so those are not settings of theirs.
            if (referenced.Any(prefix => key.StartsWith(prefix + "_", StringComparison.Ordinal))) continue;
            settings[key] = literal;
        }

        return new AppModelProject(
            project.Name, Path.GetDirectoryName(project.GetProjectMetadata().ProjectPath)!, connections, services, settings,
            External: project.Annotations.OfType<EndpointAnnotation>().Any(endpoint => endpoint.IsExternal));
    }

    /// <summary>The server a connection reaches: a database's parent (postgres), else the resource itself.</summary>
    private static IResource Server(IResource resource) =>
        resource is IResourceWithParent child ? Server(child.Parent) : resource;
}
