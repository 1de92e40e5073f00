namespace MasStack.Platform.Ids;

/// <summary>
/// A consumer creating a row under an id minted by another service found that id already taken by other content: the
/// id was minted twice. Confirming would merge two things into one, so the message fails instead (and, once its
/// redeliveries are spent, is parked for an operator).
/// </summary>
public sealed class IdCollisionException(string table, long id, string difference)
    : Exception($"The id {id} in {table} already belongs to other content ({difference}): an id was minted twice.")
{
    /// <summary>Throws unless the row already under <paramref name="id"/> is the one the message describes.</summary>
    public static void ThrowIfOther(string table, long id, bool same, string difference)
    {
        if (!same) throw new IdCollisionException(table, id, difference);
    }
}
