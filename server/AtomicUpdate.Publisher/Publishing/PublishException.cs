namespace AtomicUpdate.Publisher.Publishing;

/// <summary>A publish run that cannot go ahead: the message says what is wrong and what to do.</summary>
internal sealed class PublishException(string message, Exception? innerException = null) : Exception(message, innerException);
