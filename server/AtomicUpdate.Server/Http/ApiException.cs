namespace AtomicUpdate.Server.Http;

/// <summary>A request the server refuses; becomes a problem-details response with this status.</summary>
internal sealed class ApiException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public TimeSpan? RetryAfter { get; init; }

    public static ApiException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ApiException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static ApiException Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict", detail);

    public static ApiException Unprocessable(string detail) => new(StatusCodes.Status422UnprocessableEntity, "Unprocessable request", detail);

    public static ApiException Unauthorized(string detail) => new(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static ApiException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden", detail);
}
