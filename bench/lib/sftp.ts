// What a case runner needs to reach the bench's sFTP server (started by the parent).
export interface SftpArgs { host: string; port: number; username: string; password: string; hostKeySha256: string }
