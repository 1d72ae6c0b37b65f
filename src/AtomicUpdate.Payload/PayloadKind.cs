namespace AtomicUpdate.Payload;

/// <summary>A full image, or a delta that applies on top of one base release.</summary>
public enum PayloadKind
{
    Full,
    Delta,
}
