namespace AtomicUpdate.Publisher.Publishing;

/// <summary>How far one step of a publish run is: sending, compressing or signing a target.</summary>
internal readonly record struct PublishProgress(string Step, string TargetName, long Done, long Total);
