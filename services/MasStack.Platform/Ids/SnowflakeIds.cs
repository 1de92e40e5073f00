namespace MasStack.Platform.Ids;

/// <summary>
/// 53-bit time-ordered ids (safe as JavaScript numbers): 41 bits of milliseconds since
/// <see cref="Epoch"/>, 6 bits of worker id and 6 bits of per-millisecond sequence.
/// </summary>
public sealed class SnowflakeIds
{
    public const int WorkerBits = 6;
    public const int SequenceBits = 6;
    public const int MaxWorkers = 64;

    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const int TimestampShift = WorkerBits + SequenceBits;
    private const long MaxSequence = (1L << SequenceBits) - 1;
    private const long MaxTimestamp = (1L << 41) - 1;

    private readonly long _workerId;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private long _lastMs = long.MinValue;
    private long _sequence;

    public SnowflakeIds(int workerId, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workerId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(workerId, MaxWorkers);
        ArgumentNullException.ThrowIfNull(clock);
        _workerId = workerId;
        _clock = clock;
    }

    public long Next()
    {
        lock (_gate)
        {
            var ms = ReadClock();
            long sequence = 0;
            if (ms <= _lastMs)
            {
                if (_sequence < MaxSequence)
                {
                    // Same millisecond, or the clock went backwards: keep minting from the last one.
                    ms = _lastMs;
                    sequence = _sequence + 1;
                }
                else
                {
                    while (ms == _lastMs)
                    {
                        ms = ReadClock();
                    }

                    // A clock that went backwards could make us wait for as long as the jump,
                    // so step the logical timestamp instead.
                    if (ms < _lastMs)
                    {
                        ms = _lastMs + 1;
                    }
                }
            }

            if (ms is < 0 or > MaxTimestamp)
            {
                throw new InvalidOperationException($"Clock is outside the id range starting at {Epoch:O}.");
            }

            _lastMs = ms;
            _sequence = sequence;
            return (ms << TimestampShift) | (_workerId << SequenceBits) | sequence;
        }
    }

    public static DateTimeOffset TimestampOf(long id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        return Epoch.AddMilliseconds(id >> TimestampShift);
    }

    public static int WorkerOf(long id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        return (int)((id >> SequenceBits) & (MaxWorkers - 1));
    }

    private long ReadClock() =>
        _clock.GetUtcNow().ToUnixTimeMilliseconds() - Epoch.ToUnixTimeMilliseconds();
}
