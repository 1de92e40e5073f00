namespace MasStack.Contracts;

/// <summary>
/// Marks an event that crosses services. Events are immutable records named in the past tense and changed
/// only by addition: a new field is optional, so an older consumer keeps working.
/// </summary>
public interface IIntegrationEvent;
