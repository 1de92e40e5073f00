using System.Diagnostics;
using k8s;
using k8s.Models;

namespace MasStack.DeploymentTests;

/// <summary>An overlay of deploy/kubernetes rendered by <c>kubectl kustomize</c>, every object loaded as its typed API model.</summary>
public sealed class RenderedOverlay
{
    public const string Local = "local";
    public const string Production = "production";
    public static readonly TheoryData<string> Both = [Local, Production];

    private static readonly Dictionary<string, Lazy<RenderedOverlay>> Rendered = new()
    {
        [Local] = new(() => Render(Local)),
        [Production] = new(() => Render(Production)),
    };

    public string Name { get; }
    public string Yaml { get; }
    public IReadOnlyList<object> Objects { get; }

    private RenderedOverlay(string name, string yaml, IReadOnlyList<object> objects) => (Name, Yaml, Objects) = (name, yaml, objects);

    /// <summary>The overlay, rendered once per test run.</summary>
    public static RenderedOverlay Of(string overlay) => Rendered[overlay].Value;

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    private static RenderedOverlay Render(string overlay)
    {
        var directory = Path.Combine(RepositoryRoot(), "deploy", "kubernetes", "overlays", overlay);
        var result = Run("kubectl", ["kustomize", directory]);
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {overlay} failed: {result.Errors}");
        // Strict: a field the API model does not know (a typo, a misplaced key) fails the load.
        var objects = KubernetesYaml.LoadAllFromString(result.Output, strict: true);
        return new RenderedOverlay(overlay, result.Output, objects);
    }

    public sealed record ProcessResult(int ExitCode, string Output, string Errors);

    /// <summary>Runs a command to its end, with <paramref name="input"/> on its standard input.</summary>
    public static ProcessResult Run(string command, IEnumerable<string> arguments, string? input = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? RepositoryRoot(),
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{command} is not installed (scripts/prerequisites.sh installs it): {e.Message}", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{command} {string.Join(' ', arguments)} did not end within 60 s");
            }
            return new ProcessResult(process.ExitCode, output.Result, errors.Result);
        }
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MasStack.Aspire.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("MasStack.Aspire.sln not found above the test's directory");
    }

    public V1Deployment? Deployment(string name) => All<V1Deployment>().SingleOrDefault(d => d.Metadata.Name == name);

    public V1ConfigMap? ConfigMap(string name) => All<V1ConfigMap>().SingleOrDefault(c => c.Metadata.Name == name);

    public V1Service? Service(string name) => All<V1Service>().SingleOrDefault(s => s.Metadata.Name == name);

    /// <summary>Every workload's pod template: Deployments and StatefulSets, by workload name.</summary>
    public IEnumerable<(string Workload, V1PodTemplateSpec Template)> PodTemplates() =>
        All<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template))
            .Concat(All<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template)));

    /// <summary>The environment a container gets from its ConfigMaps (envFrom) and its own literal values.</summary>
    public IReadOnlyDictionary<string, string> LiteralEnvironment(V1Container container)
    {
        var environment = new Dictionary<string, string>();
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is null) continue;
            var map = ConfigMap(source.ConfigMapRef.Name);
            Assert.True(map is not null, $"{Name}: container {container.Name} takes its environment from ConfigMap {source.ConfigMapRef.Name}, which is not in the overlay");
            foreach (var (key, value) in map.Data ?? new Dictionary<string, string>()) environment[key] = value;
        }
        foreach (var variable in container.Env ?? [])
            if (variable.Value is not null) environment[variable.Name] = variable.Value;
        return environment;
    }

    public static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public static string AppName(V1PodTemplateSpec template) => template.Metadata.Labels["app.kubernetes.io/name"];
}
