namespace AtomicUpdate.Contracts;

/// <summary>Paths of the fleet server's device API, relative to the server's base URL (API.md).</summary>
public static class DeviceApiPaths
{
    /// <summary><c>POST</c> an <see cref="EnrollmentRequest"/>; the answer is an <see cref="EnrollmentResponse"/>.</summary>
    public const string Enroll = "api/v1/devices/enroll";

    /// <summary><c>GET</c> with the device token; the answer is a <see cref="DeviceTarget"/> with an ETag.</summary>
    public const string Target = "api/v1/device/target";

    /// <summary><c>POST</c> a <see cref="ReportBatch"/> with the device token; the answer is a <see cref="ReportBatchResult"/>.</summary>
    public const string Reports = "api/v1/device/reports";
}
