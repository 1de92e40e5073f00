using k8s.Models;
using MasStack.ServiceDefaults;

namespace MasStack.DeploymentTests;

/// <summary>
/// The rendered overlays against the AppHost's model: every project deployed, every reference (database, cache,
/// broker, another service) given to it, every Service reaching pods, and traffic admitted only where the model sends it.
/// </summary>
public sealed class AppModelAgreementTests
{
    private const string SimulatorComponent = "simulator";

    /// <summary>Stand-ins for partners (development only): marked so in the local overlay, absent in production.</summary>
    private static bool IsSimulator(string project) =>
        RenderedOverlay.Of(RenderedOverlay.Local).Deployment(project)?.Spec.Template.Metadata.Labels
            .TryGetValue("app.kubernetes.io/component", out var component) == true && component == SimulatorComponent;

    private static V1Container ContainerOf(RenderedOverlay overlay, string project)
    {
        var deployment = overlay.Deployment(project);
        Assert.True(deployment is not null, $"{overlay.Name}: the AppHost's project {project} has no Deployment");
        var container = deployment.Spec.Template.Spec.Containers.SingleOrDefault(c => c.Name == project);
        Assert.True(container is not null, $"{overlay.Name}: Deployment {project} has no container named {project}");
        return container;
    }

    [Fact]
    public async Task The_model_has_the_projects_the_suite_is_made_of()
    {
        // Guards the reading of the model itself: were it empty, every check below would pass vacuously.
        var projects = await AppModel.ProjectsAsync();
        Assert.Superset(
            new HashSet<string>([.. ResourceNames.ServicesWithDatabases, ResourceNames.Gateway, ResourceNames.Network, ResourceNames.ClearingHouse]),
            projects.Select(p => p.Name).ToHashSet());
        var signup = projects.Single(p => p.Name == ResourceNames.Signup);
        Assert.Equal(ResourceNames.Postgres, signup.Connections["signupdb"]);
        Assert.Contains(ResourceNames.Account, signup.Services);
        Assert.Equal("10000", signup.Settings["OTEL_METRIC_EXPORT_INTERVAL"]);
        Assert.DoesNotContain(signup.Settings.Keys, key => key.StartsWith("SIGNUPDB_", StringComparison.Ordinal)); // a reference's parts, not a setting
        Assert.True(projects.Single(p => p.Name == ResourceNames.Gateway).External);
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public async Task Every_project_has_a_Deployment_running_its_image(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        foreach (var project in await AppModel.ProjectsAsync())
        {
            if (overlayName == RenderedOverlay.Production && IsSimulator(project.Name))
            {
                Assert.True(overlay.Deployment(project.Name) is null, $"production deploys the simulator {project.Name}; the real partner stands in its place");
                continue;
            }
            var image = ContainerOf(overlay, project.Name).Image;
            var repository = image[..image.LastIndexOf(':')];
            Assert.True(repository == $"masstack/{project.Name}" || repository.EndsWith($"/masstack/{project.Name}", StringComparison.Ordinal),
                $"{overlayName}: Deployment {project.Name} runs {image}, not the project's image masstack/{project.Name}");
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public async Task Every_connection_the_model_gives_a_project_comes_from_its_Secret(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        foreach (var project in await AppModel.ProjectsAsync())
        {
            if (overlay.Deployment(project.Name) is null) continue; // a simulator in production: the test above
            var container = ContainerOf(overlay, project.Name);
            var fromSecrets = (container.Env ?? []).Where(v => v.ValueFrom?.SecretKeyRef is not null)
                .ToDictionary(v => v.Name, v => v.ValueFrom.SecretKeyRef);
            foreach (var connection in project.Connections.Keys)
            {
                var variable = $"ConnectionStrings__{connection}";
                Assert.True(fromSecrets.TryGetValue(variable, out var secret),
                    $"{overlayName}: {project.Name} references {connection} in the AppHost, but its Deployment does not set {variable} from a Secret");
                Assert.Equal($"{project.Name}-connections", secret.Name);
                Assert.Equal(connection, secret.Key);
            }
            var extra = fromSecrets.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
                .Select(k => k["ConnectionStrings__".Length..]).Except(project.Connections.Keys);
            Assert.True(!extra.Any(), $"{overlayName}: {project.Name} is given connections the AppHost does not give it: {string.Join(", ", extra)}");
            var literal = overlay.LiteralEnvironment(container).Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
            Assert.True(!literal.Any(), $"{overlayName}: {project.Name} has a connection string written in the repository: {string.Join(", ", literal)}");
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public async Task Every_service_a_project_references_has_an_address_that_reaches_it(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        foreach (var project in await AppModel.ProjectsAsync())
        {
            if (overlay.Deployment(project.Name) is null) continue;
            var environment = overlay.LiteralEnvironment(ContainerOf(overlay, project.Name));
            foreach (var referenced in project.Services)
            {
                var key = $"services__{referenced}__http__0";
                Assert.True(environment.TryGetValue(key, out var address), $"{overlayName}: {project.Name} references {referenced} in the AppHost, but has no {key}");
                if (overlay.Deployment(referenced) is null)
                {
                    // A partner outside the cluster (production's stand-in for a simulator): over TLS.
                    Assert.True(IsSimulator(referenced), $"{overlayName}: {referenced}, referenced by {project.Name}, is not deployed");
                    Assert.StartsWith("https://", address);
                    continue;
                }
                var service = overlay.Service(referenced);
                Assert.True(service is not null, $"{overlayName}: {project.Name} reaches {referenced} at {address}, but there is no Service {referenced}");
                var port = service.Spec.Ports.Single(p => p.Name == "http").Port;
                Assert.Equal($"http://{referenced}:{port}", address);
                Assert.True(RenderedOverlay.Selects(service.Spec.Selector, overlay.Deployment(referenced)!.Spec.Template.Metadata.Labels),
                    $"{overlayName}: Service {referenced} does not select the pods of Deployment {referenced}");
            }
            var unknown = environment.Keys.Where(k => k.StartsWith("services__", StringComparison.Ordinal))
                .Select(k => k.Split("__")[1]).Except(project.Services);
            Assert.True(!unknown.Any(), $"{overlayName}: {project.Name} is given services the AppHost does not give it: {string.Join(", ", unknown)}");
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public async Task Every_setting_the_AppHost_gives_a_project_is_in_its_ConfigMap(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        foreach (var project in await AppModel.ProjectsAsync())
        {
            if (overlay.Deployment(project.Name) is null) continue;
            var environment = overlay.LiteralEnvironment(ContainerOf(overlay, project.Name));
            foreach (var (key, value) in project.Settings)
            {
                Assert.True(environment.TryGetValue(key, out var deployed), $"{overlayName}: the AppHost sets {key}={value} for {project.Name}; its Deployment does not");
                Assert.True(value == deployed, $"{overlayName}: the AppHost sets {key}={value} for {project.Name}; its Deployment has {deployed}");
            }
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void Every_Service_selects_pods_that_declare_its_ports(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        Assert.NotEmpty(overlay.All<V1Service>());
        foreach (var service in overlay.All<V1Service>())
        {
            var pods = overlay.PodTemplates().Where(p => RenderedOverlay.Selects(service.Spec.Selector, p.Template.Metadata.Labels)).ToList();
            Assert.True(pods.Count > 0, $"{overlayName}: Service {service.Metadata.Name}'s selector matches no pods");
            foreach (var port in service.Spec.Ports)
                foreach (var (workload, template) in pods)
                    Assert.True(template.Spec.Containers.SelectMany(c => c.Ports ?? []).Any(p => port.TargetPort.Value == p.Name || port.TargetPort.Value == p.ContainerPort.ToString()),
                        $"{overlayName}: Service {service.Metadata.Name} targets port {port.TargetPort.Value}, which {workload}'s pods do not declare");
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public async Task NetworkPolicies_admit_only_what_the_model_sends(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        var projects = await AppModel.ProjectsAsync();
        var policies = overlay.All<V1NetworkPolicy>().ToList();

        var denyAll = policies.Where(p => p.Spec.PodSelector.MatchLabels is not { Count: > 0 } && p.Spec.PodSelector.MatchExpressions is not { Count: > 0 }
                                         && p.Spec.PolicyTypes.Contains("Ingress") && p.Spec.Ingress is not { Count: > 0 });
        Assert.True(denyAll.Any(), $"{overlayName}: no default-deny ingress policy for the namespace");

        foreach (var (workload, template) in overlay.PodTemplates())
        {
            var expected = projects.Where(p => p.Services.Contains(workload) || p.Connections.Values.Contains(workload))
                .Select(p => p.Name).Where(name => overlay.Deployment(name) is not null).ToHashSet();
            var external = projects.Any(p => p.Name == workload && p.External);
            var rules = policies.Where(p => RenderedOverlay.Selects(p.Spec.PodSelector.MatchLabels, template.Metadata.Labels))
                .SelectMany(p => p.Spec.Ingress ?? []).ToList();

            var fromAnywhere = rules.Any(rule => rule.FromProperty is not { Count: > 0 });
            Assert.True(external == fromAnywhere,
                external ? $"{overlayName}: {workload} is the public door but no policy admits traffic from outside"
                         : $"{overlayName}: {workload} admits traffic from anywhere; only the gateway may");
            if (external) continue;

            var peers = rules.SelectMany(rule => rule.FromProperty).ToList();
            Assert.True(peers.All(peer => peer.NamespaceSelector is null && peer.IpBlock is null),
                $"{overlayName}: {workload} admits traffic from outside the namespace");
            var admitted = peers.Select(peer => peer.PodSelector.MatchLabels["app.kubernetes.io/name"]).ToHashSet();
            Assert.True(expected.SetEquals(admitted),
                $"{overlayName}: {workload} admits [{string.Join(", ", admitted.Order())}] but the AppHost sends it traffic from [{string.Join(", ", expected.Order())}]");
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public async Task Probes_ask_the_paths_every_project_serves(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        var platform = await File.ReadAllTextAsync(Path.Combine(RenderedOverlay.RepositoryRoot(), "services", "MasStack.Platform", "PlatformExtensions.cs"));
        Assert.Contains("app.UseServiceDefaults();", platform);
        foreach (var project in await AppModel.ProjectsAsync())
        {
            if (overlay.Deployment(project.Name) is null) continue;
            // The health endpoints are mapped by ServiceDefaults' UseServiceDefaults (directly, or through the Platform's UsePlatform).
            var program = await File.ReadAllTextAsync(Path.Combine(project.ProjectDirectory, "Program.cs"));
            Assert.True(program.Contains("app.UseServiceDefaults();") || program.Contains("app.UsePlatform();"),
                $"{project.Name}'s Program.cs maps no health endpoints (neither UseServiceDefaults nor UsePlatform)");

            var container = ContainerOf(overlay, project.Name);
            var ports = (container.Ports ?? []).Select(p => p.Name).ToHashSet();
            foreach (var (kind, probe, path) in new[]
                     {
                         ("readiness", container.ReadinessProbe, Extensions.HealthPath),
                         ("liveness", container.LivenessProbe, Extensions.AlivePath),
                         ("startup", container.StartupProbe, Extensions.AlivePath),
                     })
            {
                Assert.True(probe?.HttpGet is not null, $"{overlayName}: {project.Name} has no HTTP {kind} probe");
                Assert.True(probe.HttpGet.Path == path, $"{overlayName}: {project.Name}'s {kind} probe asks {probe.HttpGet.Path}, which ServiceDefaults does not serve for it ({path})");
                Assert.Contains(probe.HttpGet.Port.Value, ports);
            }
        }
    }
}
