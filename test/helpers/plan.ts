// A small plan written straight into a test database: enough providers, members and
// assignments to check generated files row by row.
import type pg from 'pg';

export const P = {
  ECM1: { code: 'ACME', npi: '1234567893', tin: '123456789', name: 'Acme Community Health' },
  ECM2: { code: 'RIVAL', npi: '1987654328', tin: '987654321', name: 'Rival Care Partners' },
  CS1: { code: 'HOMEWAY', npi: '1558598797', tin: '111222333', name: 'Homeway Housing' },
  CS2: { code: 'MEALS', npi: '1437825213', tin: '444555666', name: 'Good Meals Co' },
};

export async function seedPlan(pool: pg.Pool): Promise<void> {
  await pool.query(`insert into providers (provider_code, npi, tin, name, phone, contact_email, liaison_email, sftp_folder) values
    ('ACME', '1234567893', '123456789', 'Acme Community Health', '5595550100', 'ops@acme.example', 'liaison@plan.example', 'ACME'),
    ('RIVAL', '1987654328', '987654321', 'Rival Care Partners', '5595550200', 'ops@rival.example', 'liaison@plan.example', 'RIVAL'),
    ('HOMEWAY', '1558598797', '111222333', 'Homeway Housing', '5595550300', 'ops@homeway.example', 'liaison@plan.example', 'HOMEWAY'),
    ('MEALS', '1437825213', '444555666', 'Good Meals Co', '5595550400', 'ops@meals.example', 'liaison@plan.example', 'MEALS')`);
  await pool.query(`insert into provider_contracts values ('ACME','HN','ECM'), ('ACME','CV','ECM'), ('RIVAL','HN','ECM'),
    ('HOMEWAY','HN','CS'), ('HOMEWAY','CV','CS'), ('MEALS','HN','CS')`);
  await pool.query(`insert into members (cin, mcp_member_id, last_name, first_name, dob, gender, language, address, city, state, zip, phone, county) values
    ('91000001A','M1','Alpha','Ann','1980-02-14','F','English','1 A St','Fresno','CA','93701','5595551001','Fresno'),
    ('91000002B','M2','Bravo','Ben','1975-03-05','M','Spanish','2 B St','Fresno','CA','93702','5595551002','Fresno'),
    ('91000003C','M3','Charlie','Cy','1990-12-31','X','English','3 C St','Fresno','CA','93703','5595551003','Fresno'),
    ('91000004D','M4','Delta','Dee','1955-07-04','F','Hmong','4 D St','Madera','CA','93637','5595551004','Madera'),
    ('91000005E','M5','Echo','Ed','1966-06-06','M','English','5 E St','Fresno','CA','93704','5595551005','Fresno'),
    ('91000006F','M6','Foxtrot','Fay','2001-01-01','F','English','6 F St','Fresno','CA','93705','5595551006','Fresno'),
    ('91000007G','M7','Golf','Gil','1948-08-08','M','English','7 G St','Fresno','CA','93706','5595551007','Fresno'),
    ('91000008H','M8','Hotel','Hana','1999-09-09','F','English','8 H St','Fresno','CA','93707','5595551008','Fresno')`);
  await pool.query(`insert into ecm_assignments (cin, lob, provider_code, status, assigned_date, enrollment_start, enrollment_end, acuity, lcm_name, lcm_phone) values
    ('91000001A','HN','ACME',1,'2026-09-01',null,null,null,null,null),
    ('91000002B','HN','ACME',3,'2026-08-01','2026-08-15',null,'High','Pat Lee','5595552000'),
    ('91000003C','HN','ACME',4,'2026-07-01','2026-07-10','2026-09-30','Low','Pat Lee','5595552000'),
    ('91000004D','CV','ACME',2,'2026-10-01',null,null,null,null,null),
    ('91000005E','HN','RIVAL',1,'2026-09-01',null,null,null,null,null),
    ('91000006F','HN','ACME',3,'2026-06-01','2026-06-05','2026-10-31','Medium','Pat Lee','5595552000')`);
}

/**
 * An assignment extract moves the member's assignment in `lob` to another provider from
 * `to.from` (and, if given, to a status), applied at its load as before migration 0054: the
 * lineage row (a move: migration 0049), loaded at `loadedAt` (now if not given), keeps the
 * assignment as it was.
 */
export async function movedByExtract(
  pool: pg.Pool, cin: string, lob: string, to: { provider: string; from: string; status?: number }, loadedAt?: string,
): Promise<void> {
  await pool.query(`insert into ecm_assignment_changes (assignment_id, row_number, before, source, changed_at, moved)
    select a.id, 2, a, 'ASSIGNMENT_IMPORT', coalesce($3::timestamptz, now()), true from ecm_assignments a where a.cin = $1 and a.lob = $2`, [cin, lob, loadedAt ?? null]);
  await pool.query(`update ecm_assignments set provider_code = $3, assigned_date = $4, status = coalesce($5, status) where cin = $1 and lob = $2`,
    [cin, lob, to.provider, to.from, to.status ?? null]);
}

/** CS authorizations for HOMEWAY and MEALS: approved, pending, potential, and one for each check of a CSPRTF. */
export async function seedCsAuthorizations(pool: pg.Pool): Promise<void> {
  await pool.query(`insert into cs_authorizations (cin, service_code, provider_code, lob, record_type, auth_status, auth_number, auth_start, auth_end, requested_date, decision_date, assigned_date) values
    ('91000001A','HTN','HOMEWAY','HN','AUTHORIZED','Approved','A-100','2026-10-01','2027-03-31','2026-09-20','2026-09-28','2026-09-28'),
    ('91000004D','MTM','HOMEWAY','CV','AUTHORIZED','Pending',null,null,null,'2026-10-20',null,'2026-10-21'),
    ('91000002B','HD','HOMEWAY','HN','POTENTIAL',null,null,null,null,null,null,'2026-10-25'),
    ('91000002B','RS','HOMEWAY','HN','AUTHORIZED','Approved','A-300','2026-11-01','2027-01-31','2026-10-15','2026-10-20','2026-10-20'),
    ('91000004D','RC','HOMEWAY','CV','AUTHORIZED','Approved','A-400','2026-11-01','2027-01-31','2026-10-15','2026-10-20','2026-10-20'),
    ('91000005E','MTM','MEALS','HN','AUTHORIZED','Approved','A-200','2026-11-01','2027-04-30','2026-10-15','2026-10-20','2026-10-20')`);
}
