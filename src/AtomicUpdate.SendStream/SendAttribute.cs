namespace AtomicUpdate.SendStream;

/// <summary>One attribute of a command: its type and its raw value.</summary>
public readonly record struct SendAttribute(SendAttributeType Type, ReadOnlyMemory<byte> Value);
