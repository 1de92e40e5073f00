using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using MassTransit;

namespace MasStack.Platform.Messaging;

/// <summary>A consumer of the service: its class, its stable name and the queue it reads.</summary>
public sealed record ServiceConsumer(Type Type, string Name, string Queue);

/// <summary>
/// The consumers of one service, each under its declared <see cref="ConsumerNameAttribute"/> name. A consumer without a
/// name, with a malformed one, or with a name another consumer of the service already has or has retired stops the service
/// at start.
/// </summary>
public sealed partial class ServiceConsumers
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    public ServiceConsumers(string serviceName, IEnumerable<Type> consumerTypes, IEnumerable<string>? retired = null)
    {
        var consumers = consumerTypes.Select(type => new ServiceConsumer(type, NameOf(type), $"{serviceName}-{NameOf(type)}")).ToList();
        var clashes = consumers.GroupBy(c => c.Name).Where(g => g.Count() > 1).ToList();
        if (clashes.Count > 0)
        {
            throw new InvalidOperationException(
                $"Two consumers of {serviceName} have the same name: " +
                string.Join("; ", clashes.Select(g => $"'{g.Key}' ({string.Join(", ", g.Select(c => c.Type.FullName))})")) +
                ". Each consumer's [ConsumerName] must be unique in its service: it names its queue and its inbox rows.");
        }
        All = consumers;
        var retiredNames = (retired ?? []).Distinct().ToList();
        if (retiredNames.FirstOrDefault(name => consumers.Any(c => c.Name == name)) is { } reused)
            throw new InvalidOperationException(
                $"The consumer name '{reused}' of {serviceName} is retired: a new consumer needs a new name (its old queue is taken off the broker).");
        Retired = [.. retiredNames.Select(name => $"{serviceName}-{name}")];
    }

    public IReadOnlyList<ServiceConsumer> All { get; }

    /// <summary>The queues of the consumers the service no longer has (<see cref="RetiredConsumersAttribute"/>).</summary>
    public IReadOnlyList<string> Retired { get; }

    /// <summary>The concrete MassTransit consumers of <paramref name="assembly"/>, and the names it retired.</summary>
    public static ServiceConsumers Of(string serviceName, Assembly assembly) =>
        new(serviceName, assembly.GetTypes().Where(IsConsumer).OrderBy(t => t.FullName, StringComparer.Ordinal),
            assembly.GetCustomAttributes<RetiredConsumersAttribute>().SelectMany(a => a.Names));

    public string QueueOf(Type consumerType) =>
        All.FirstOrDefault(c => c.Type == consumerType)?.Queue
        ?? throw new InvalidOperationException($"{consumerType.FullName} is not a consumer of this service.");

    public bool HasQueue(string queue) => All.Any(c => c.Queue == queue);

    /// <summary>The declared name of a consumer class (lowercase kebab, e.g. <c>signup-submitted</c>).</summary>
    public static string NameOf(Type consumerType) => Names.GetOrAdd(consumerType, static type =>
    {
        var name = type.GetCustomAttribute<ConsumerNameAttribute>()?.Name
            ?? throw new InvalidOperationException($"The consumer {type.FullName} has no [ConsumerName(\"…\")]: its queue and inbox rows need a stable name.");
        return KebabName().IsMatch(name)
            ? name
            : throw new InvalidOperationException($"The consumer name '{name}' of {type.FullName} is not lowercase kebab-case (e.g. 'signup-submitted').");
    });

    private static bool IsConsumer(Type type) =>
        type is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && typeof(IConsumer).IsAssignableFrom(type);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabName();
}
