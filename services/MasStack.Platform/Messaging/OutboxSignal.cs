using MasStack.Platform.Workers;

namespace MasStack.Platform.Messaging;

/// <summary>Wakes the outbox relay as soon as a transaction with events commits, so events leave at once instead of at the next poll.</summary>
public sealed class OutboxSignal : WorkSignal;
