namespace MasStack.Contracts;

/// <summary>
/// Marks an event that crosses services. Events are immutable records named in the past tense and changed
/// only by addition: a new field is optional, so an older consumer keeps working.
/// An event about an aggregate carries the aggregate's <c>Version</c> after the change: 1 when it is created, one
/// more with each change. 0 is an event published before versions existed.
/// </summary>
public interface IIntegrationEvent;
