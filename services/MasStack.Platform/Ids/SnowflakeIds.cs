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
    public const long MaxTimestamp = (1L << 41) - 1;

    private readonly long _workerId;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private long _lastMs = long.MinValue;
    private long _sequence;
    private bool _closed;

    public SnowflakeIds(int workerId, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workerId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(workerId, MaxWorkers);
        ArgumentNullException.ThrowIfNull(clock);
        _workerId = workerId;
        _clock = clock;
    }

    /// <summary>The timestamp (milliseconds since <see cref="Epoch"/>) of the last id minted, or the one to continue after.</summary>
    public long LastTimestamp
    {
        get { lock (_gate) return _lastMs; }
    }

    /// <summary>
    /// The next id will have a timestamp above <paramref name="timestamp"/> (milliseconds since <see cref="Epoch"/>):
    /// what an earlier holder of this worker number may have used. State already past it is kept.
    /// </summary>
    public void ContinueAfter(long timestamp)
    {
        lock (_gate)
        {
            if (timestamp < _lastMs) return;
            _lastMs = timestamp;
            _sequence = MaxSequence;
        }
    }

    /// <summary>Mints no more ids from now on; returns the timestamp of the last one (see <see cref="LastTimestamp"/>).</summary>
    public long Close()
    {
        lock (_gate)
        {
            _closed = true;
            return _lastMs;
        }
    }

    public long Next() => TryNext(MaxTimestamp, out var id)
        ? id
        : throw new InvalidOperationException($"Clock is outside the id range starting at {Epoch:O}.");

    /// <summary>
    /// Mints the next id unless its timestamp would pass <paramref name="ceiling"/> (milliseconds since <see cref="Epoch"/>):
    /// then nothing changes and the answer is false.
    /// </summary>
    public bool TryNext(long ceiling, out long id)
    {
        lock (_gate)
        {
            if (_closed)
            {
                id = 0;
                return false;
            }

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

            if (ms < 0 || ms > Math.Min(ceiling, MaxTimestamp))
            {
                id = 0;
                return false;
            }

            _lastMs = ms;
            _sequence = sequence;
            id = (ms << TimestampShift) | (_workerId << SequenceBits) | sequence;
            return true;
        }
    }

    public static DateTimeOffset TimestampOf(long id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        return Epoch.AddMilliseconds(id >> TimestampShift);
    }

    /// <summary>Milliseconds since <see cref="Epoch"/> on <paramref name="clock"/>.</summary>
    public static long TimestampNow(TimeProvider clock) =>
        clock.GetUtcNow().ToUnixTimeMilliseconds() - Epoch.ToUnixTimeMilliseconds();

    public static int WorkerOf(long id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        return (int)((id >> SequenceBits) & (MaxWorkers - 1));
    }

    private long ReadClock() => TimestampNow(_clock);
}
