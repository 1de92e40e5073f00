namespace MasStack.Platform.Messaging;

/// <summary>
/// A consumer's stable name: its queue is <c>{service}-{name}</c> and its inbox rows carry the name, so renaming or
/// moving the class changes neither. Changing the name gives the consumer a new queue and an empty inbox; the old name
/// is then retired (<see cref="RetiredConsumersAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConsumerNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Names of consumers the service no longer has, whose queues <see cref="RetiredQueues"/> takes off the broker. Retire a
/// consumer only when what its queue still holds is done elsewhere or no longer needed: the queue goes with its messages.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class RetiredConsumersAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}
