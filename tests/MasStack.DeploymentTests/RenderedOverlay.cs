using System.Diagnostics;
using k8s;
using k8s.Models;

namespace MasStack.DeploymentTests;

/// <summary>An overlay of deploy/kubernetes rendered by <c>kubectl kustomize</c>, every object loaded as its typed API model.</summary>
public sealed class RenderedOverlay
{
    public string Name { get; }
    public IReadOnlyList<object> Objects { get; }

    private RenderedOverlay(string name, IReadOnlyList<object> objects) => (Name, Objects) = (name, objects);

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public static RenderedOverlay Render(string overlay)
    {
        var directory = Path.Combine(RepositoryRoot(), "deploy", "kubernetes", "overlays", overlay);
        var start = new ProcessStartInfo("kubectl", ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var kubectl = Process.Start(start)!;
        var output = kubectl.StandardOutput.ReadToEndAsync();
        var errors = kubectl.StandardError.ReadToEnd();
        kubectl.WaitForExit();
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize {overlay} failed: {errors}");
        // Strict: a field the API model does not know (a typo, a misplaced key) fails the load.
        var objects = KubernetesYaml.LoadAllFromString(output.Result, strict: true);
        return new RenderedOverlay(overlay, objects);
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
}
