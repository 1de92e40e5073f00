using k8s.Models;

namespace MasStack.DeploymentTests;

/// <summary>
/// The rules every MasStack workload follows in both overlays (issue 17, item 1): replicas, probes, resources,
/// security context, graceful termination, disruption budgets, autoscalers; and no secret values in the repository.
/// </summary>
public sealed class WorkloadRuleTests
{
    /// <summary>Host shutdown timeout of the services (HostOptions.ShutdownTimeout's default): the relays and consumers drain within it.</summary>
    private const int DrainSeconds = 30;

    /// <summary>The gateway and the services that take the load: sales (signup), orders (subscription), usage records (consumption), tree reads (customer).</summary>
    private static readonly string[] Autoscaled = ["gateway", "signup", "customer", "subscription", "consumption"];

    private static IEnumerable<V1Deployment> SuiteDeployments(RenderedOverlay overlay) =>
        overlay.All<V1Deployment>().Where(d => !(d.Spec.Template.Metadata.Labels.TryGetValue("app.kubernetes.io/component", out var c) && c == "simulator"));

    [Theory]
    [InlineData(RenderedOverlay.Local, 2)]
    [InlineData(RenderedOverlay.Production, 3)]
    public void Every_service_runs_several_replicas_and_rolls_without_losing_one(string overlayName, int minimum)
    {
        var deployments = SuiteDeployments(RenderedOverlay.Of(overlayName)).ToList();
        Assert.Equal(10, deployments.Count); // eight services (Notifications the eighth), Identity and the gateway
        foreach (var deployment in deployments)
        {
            Assert.True(deployment.Spec.Replicas >= minimum, $"{overlayName}: {deployment.Metadata.Name} has {deployment.Spec.Replicas} replicas, fewer than {minimum}");
            Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void Every_container_has_probes_requests_and_limits(string overlayName)
    {
        foreach (var deployment in RenderedOverlay.Of(overlayName).All<V1Deployment>())
        foreach (var container in deployment.Spec.Template.Spec.Containers)
        {
            var name = $"{overlayName}: {deployment.Metadata.Name}/{container.Name}";
            Assert.True(container.ReadinessProbe is not null && container.LivenessProbe is not null && container.StartupProbe is not null, $"{name} lacks a probe");
            foreach (var resource in new[] { "cpu", "memory" })
            {
                Assert.True(container.Resources?.Requests?.ContainsKey(resource) == true, $"{name} requests no {resource}");
                Assert.True(container.Resources.Limits?.ContainsKey(resource) == true, $"{name} has no {resource} limit");
                Assert.True(container.Resources.Requests[resource].ToDecimal() <= container.Resources.Limits[resource].ToDecimal(),
                    $"{name} requests more {resource} than its limit");
            }
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void Every_container_runs_unprivileged_on_a_read_only_root(string overlayName)
    {
        foreach (var deployment in RenderedOverlay.Of(overlayName).All<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            Assert.True(pod.SecurityContext?.RunAsNonRoot == true, $"{overlayName}: {deployment.Metadata.Name} may run as root");
            Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
            Assert.False(pod.AutomountServiceAccountToken ?? true, $"{overlayName}: {deployment.Metadata.Name} mounts a service account token it does not use");
            foreach (var container in pod.Containers)
            {
                var security = container.SecurityContext;
                var name = $"{overlayName}: {deployment.Metadata.Name}/{container.Name}";
                Assert.True(security?.AllowPrivilegeEscalation == false, $"{name} may escalate privileges");
                Assert.True(security.ReadOnlyRootFilesystem == true, $"{name} has a writable root filesystem");
                Assert.Contains("ALL", security.Capabilities?.Drop ?? []);
            }
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void Termination_grace_outlasts_the_drain(string overlayName)
    {
        foreach (var deployment in RenderedOverlay.Of(overlayName).All<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            var preStop = pod.Containers.Max(c => c.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0);
            Assert.True(pod.TerminationGracePeriodSeconds > DrainSeconds + preStop,
                $"{overlayName}: {deployment.Metadata.Name} is killed after {pod.TerminationGracePeriodSeconds} s, before its {preStop} s pause and {DrainSeconds} s drain end");
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void Every_service_has_a_disruption_budget_that_lets_a_node_drain(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        foreach (var deployment in SuiteDeployments(overlay))
        {
            var budgets = overlay.All<V1PodDisruptionBudget>()
                .Where(b => RenderedOverlay.Selects(b.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels)).ToList();
            var budget = Assert.Single(budgets);
            var minAvailable = int.Parse(budget.Spec.MinAvailable.Value);
            Assert.InRange(minAvailable, 1, deployment.Spec.Replicas!.Value - 1);
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void Every_service_spreads_its_pods_over_nodes(string overlayName)
    {
        // Without it two replicas may share a node, and draining that node takes the service down despite its budget.
        foreach (var deployment in SuiteDeployments(RenderedOverlay.Of(overlayName)))
        {
            var spread = deployment.Spec.Template.Spec.TopologySpreadConstraints?.SingleOrDefault(c => c.TopologyKey == "kubernetes.io/hostname");
            Assert.True(spread is not null, $"{overlayName}: {deployment.Metadata.Name} does not spread its pods over nodes");
            Assert.True(RenderedOverlay.Selects(spread.LabelSelector.MatchLabels, deployment.Spec.Template.Metadata.Labels),
                $"{overlayName}: {deployment.Metadata.Name}'s spread constraint does not select its own pods");
            Assert.Contains("app.kubernetes.io/name", spread.MatchLabelKeys ?? []);
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void The_gateway_and_the_loaded_services_scale_on_CPU(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        var autoscalers = overlay.All<V2HorizontalPodAutoscaler>().ToDictionary(h => h.Spec.ScaleTargetRef.Name);
        Assert.Equal(Autoscaled.Order(), autoscalers.Keys.Order());
        foreach (var (target, autoscaler) in autoscalers)
        {
            var deployment = overlay.Deployment(target);
            Assert.True(deployment is not null && autoscaler.Spec.ScaleTargetRef.Kind == "Deployment", $"{overlayName}: HPA {autoscaler.Metadata.Name} scales nothing");
            Assert.Equal(deployment.Spec.Replicas, autoscaler.Spec.MinReplicas);
            Assert.True(autoscaler.Spec.MaxReplicas > autoscaler.Spec.MinReplicas);
            // Utilization is measured against the request: without one the HPA cannot act.
            Assert.Contains(autoscaler.Spec.Metrics, m => m.Resource?.Name == "cpu" && m.Resource.Target.Type == "Utilization");
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void No_secret_value_is_in_the_repository(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        Assert.Empty(overlay.All<V1Secret>());
        foreach (var (workload, template) in overlay.PodTemplates())
        foreach (var container in template.Spec.Containers)
        {
            var literal = overlay.LiteralEnvironment(container);
            var suspicious = literal.Keys.Where(k => k.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase) || k.Contains("SECRET", StringComparison.OrdinalIgnoreCase)
                                                     || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
            Assert.True(!suspicious.Any(), $"{overlayName}: {workload}/{container.Name} has {string.Join(", ", suspicious)} as a literal value");
        }
    }

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void Everything_lands_in_the_masstack_namespace(string overlayName)
    {
        foreach (var metadata in RenderedOverlay.Of(overlayName).Objects.OfType<IMetadata<V1ObjectMeta>>())
            if (metadata is not V1Namespace)
                Assert.True(metadata.Metadata.NamespaceProperty == "masstack", $"{overlayName}: {metadata.Metadata.Name} is not in namespace masstack");
    }

    [Fact]
    public void Local_runs_the_infrastructure_on_volumes_and_production_does_not()
    {
        var local = RenderedOverlay.Of(RenderedOverlay.Local).All<V1StatefulSet>().ToDictionary(s => s.Metadata.Name);
        Assert.Equal(["postgres", "rabbitmq", "redis"], local.Keys.Order());
        foreach (var (name, statefulSet) in local)
        {
            var claim = Assert.Single(statefulSet.Spec.VolumeClaimTemplates);
            Assert.Contains(statefulSet.Spec.Template.Spec.Containers.Single().VolumeMounts, m => m.Name == claim.Metadata.Name);
            Assert.True(statefulSet.Spec.Template.Spec.Containers.Single().ReadinessProbe is not null, $"{name} has no readiness probe");
        }
        Assert.Empty(RenderedOverlay.Of(RenderedOverlay.Production).All<V1StatefulSet>());
    }

    [Fact]
    public void The_local_secrets_script_creates_every_Secret_key_the_local_overlay_reads()
    {
        var overlay = RenderedOverlay.Of(RenderedOverlay.Local);
        var script = RenderedOverlay.Run("bash", ["deploy/kubernetes/overlays/local/create-secrets.sh", "masstack", "--dry-run"]);
        Assert.True(script.ExitCode == 0, script.Errors);
        var created = k8s.KubernetesYaml.LoadAllFromString(script.Output).OfType<V1Secret>()
            .ToDictionary(s => s.Metadata.Name, s => s.Data.Keys.ToHashSet());
        var read = overlay.PodTemplates().SelectMany(p => p.Template.Spec.Containers).SelectMany(c => c.Env ?? [])
            .Select(v => v.ValueFrom?.SecretKeyRef).OfType<V1SecretKeySelector>().ToList();
        Assert.NotEmpty(read);
        foreach (var reference in read)
            Assert.True(created.TryGetValue(reference.Name, out var keys) && keys.Contains(reference.Key),
                $"the local overlay reads key {reference.Key} of Secret {reference.Name}, which create-secrets.sh does not create");
    }
}
