namespace MasStack.Platform.Messaging;

/// <summary>
/// A consumer's stable name: its queue is <c>{service}-{name}</c> and its inbox rows carry the name, so renaming or
/// moving the class changes neither. Changing the name gives the consumer a new queue and an empty inbox.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConsumerNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
