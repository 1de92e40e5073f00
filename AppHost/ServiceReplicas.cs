using MasStack.ServiceDefaults;

namespace MasStack.AppHost;

/// <summary>
/// The instances of one service (<see cref="ResourceNames.ReplicasKey"/>, default 1). Aspire's own WithReplicas needs a
/// proxied endpoint, and a proxy holds connections to a stopped service instead of refusing them; so each instance is
/// a resource of its own (<c>signup</c>, <c>signup-2</c>, …) on an unproxied port, and whoever references the service
/// gets every instance in its service discovery configuration (<c>services__signup__http__0</c>, <c>__1</c>, …):
/// HttpClients pick one per request (round robin, a refused connection retried on the next) and the gateway makes
/// one YARP destination of each.
/// </summary>
public sealed class ServiceReplicas(string name, IReadOnlyList<IResourceBuilder<ProjectResource>> instances)
{
    public string Name => name;

    public IReadOnlyList<IResourceBuilder<ProjectResource>> Instances => instances;

    /// <summary>Every instance references <paramref name="source"/>.</summary>
    public ServiceReplicas WithReference(IResourceBuilder<IResourceWithServiceDiscovery> source)
    {
        foreach (var instance in instances) instance.WithReference(source);
        return this;
    }

    /// <summary>Every instance references every instance of <paramref name="source"/>.</summary>
    public ServiceReplicas WithReference(ServiceReplicas source)
    {
        foreach (var instance in instances) instance.WithReference(source);
        return this;
    }
}

public static class ServiceReplicasExtensions
{
    public static int ReplicaCount(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[ResourceNames.ReplicasKey];
        if (string.IsNullOrEmpty(configured)) return 1;
        return int.TryParse(configured, out var count) && count >= 1
            ? count
            : throw new InvalidOperationException($"{ResourceNames.ReplicasKey} must be a whole number of 1 or more, not '{configured}'.");
    }

    /// <summary>Service discovery of every instance of <paramref name="service"/>, as WithReference gives for one.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, ServiceReplicas service)
        where T : IResourceWithEnvironment
    {
        builder.WithReference(service.Instances[0]);
        for (var index = 1; index < service.Instances.Count; index++)
            builder.WithEnvironment($"services__{service.Name}__http__{index}", service.Instances[index].GetEndpoint("http"));
        return builder;
    }
}
