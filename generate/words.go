package generate

// The vocabulary of the synthetic graph: real words, so that full-text search, sorting by name
// and the country filter have something to work on. ASCII only, so slugs derive cleanly.

// countries are the 80 countries (name, ISO 3166-1 alpha-2 code, capital): the capital is the
// first city of each country.
var countries = [][3]string{
	{"Italy", "IT", "Rome"}, {"Netherlands", "NL", "The Hague"}, {"Switzerland", "CH", "Bern"},
	{"France", "FR", "Paris"}, {"Germany", "DE", "Berlin"}, {"Spain", "ES", "Madrid"},
	{"United Kingdom", "GB", "London"}, {"United States", "US", "Washington"}, {"Canada", "CA", "Ottawa"},
	{"India", "IN", "New Delhi"}, {"Singapore", "SG", "Singapore City"}, {"Japan", "JP", "Tokyo"},
	{"Republic of Korea", "KR", "Seoul"}, {"China", "CN", "Beijing"}, {"Brazil", "BR", "Brasilia"},
	{"Argentina", "AR", "Buenos Aires"}, {"Mexico", "MX", "Mexico City"}, {"Colombia", "CO", "Bogota"},
	{"Chile", "CL", "Santiago"}, {"Peru", "PE", "Lima"}, {"South Africa", "ZA", "Pretoria"},
	{"Nigeria", "NG", "Abuja"}, {"Kenya", "KE", "Nairobi"}, {"Egypt", "EG", "Cairo"},
	{"Morocco", "MA", "Rabat"}, {"Ghana", "GH", "Accra"}, {"Ethiopia", "ET", "Addis Ababa"},
	{"United Arab Emirates", "AE", "Abu Dhabi"}, {"Saudi Arabia", "SA", "Riyadh"}, {"Qatar", "QA", "Doha"},
	{"Turkey", "TR", "Ankara"}, {"Israel", "IL", "Jerusalem"}, {"Jordan", "JO", "Amman"},
	{"Austria", "AT", "Vienna"}, {"Belgium", "BE", "Brussels"}, {"Luxembourg", "LU", "Luxembourg City"},
	{"Portugal", "PT", "Lisbon"}, {"Ireland", "IE", "Dublin"}, {"Denmark", "DK", "Copenhagen"},
	{"Sweden", "SE", "Stockholm"}, {"Norway", "NO", "Oslo"}, {"Finland", "FI", "Helsinki"},
	{"Estonia", "EE", "Tallinn"}, {"Latvia", "LV", "Riga"}, {"Lithuania", "LT", "Vilnius"},
	{"Poland", "PL", "Warsaw"}, {"Czechia", "CZ", "Prague"}, {"Slovakia", "SK", "Bratislava"},
	{"Hungary", "HU", "Budapest"}, {"Romania", "RO", "Bucharest"}, {"Bulgaria", "BG", "Sofia"},
	{"Greece", "GR", "Athens"}, {"Croatia", "HR", "Zagreb"}, {"Slovenia", "SI", "Ljubljana"},
	{"Serbia", "RS", "Belgrade"}, {"Ukraine", "UA", "Kyiv"}, {"Georgia", "GE", "Tbilisi"},
	{"Armenia", "AM", "Yerevan"}, {"Kazakhstan", "KZ", "Astana"}, {"Uzbekistan", "UZ", "Tashkent"},
	{"Pakistan", "PK", "Islamabad"}, {"Bangladesh", "BD", "Dhaka"}, {"Sri Lanka", "LK", "Colombo"},
	{"Thailand", "TH", "Bangkok"}, {"Viet Nam", "VN", "Hanoi"}, {"Malaysia", "MY", "Kuala Lumpur"},
	{"Indonesia", "ID", "Jakarta"}, {"Philippines", "PH", "Manila"}, {"Australia", "AU", "Canberra"},
	{"New Zealand", "NZ", "Wellington"}, {"Malta", "MT", "Valletta"}, {"Cyprus", "CY", "Nicosia"},
	{"Iceland", "IS", "Reykjavik"}, {"Tunisia", "TN", "Tunis"}, {"Senegal", "SN", "Dakar"},
	{"Rwanda", "RW", "Kigali"}, {"Uganda", "UG", "Kampala"}, {"Tanzania", "TZ", "Dodoma"},
	{"Ecuador", "EC", "Quito"}, {"Uruguay", "UY", "Montevideo"},
}

// citySyllables build the names of the cities beyond the capitals.
var citySyllables = []string{"an", "bel", "cor", "dal", "es", "far", "gra", "hel", "in", "jor",
	"kal", "lin", "mar", "nor", "ost", "pra", "quen", "ros", "sal", "tor", "ul", "val", "wes", "zen"}

// citySuffixes end some city names.
var citySuffixes = []string{"", "", "", " Port", " Bay", " Heights", " Springs", " Falls"}

// topics are the subjects events, publications and programmes are about.
var topics = []string{
	"Artificial intelligence", "Robotics", "Cybercrime", "Law enforcement", "Responsible AI innovation",
	"Child sexual abuse online", "Deepfakes", "Disinformation", "Facial recognition", "Biometrics",
	"Autonomous vehicles", "Drones", "Terrorism", "Violent extremism", "Organised crime",
	"Human trafficking", "Money laundering", "Cryptocurrency", "Dark web", "Ransomware",
	"Critical infrastructure", "Smart cities", "Predictive policing", "Digital forensics", "Open source intelligence",
	"Human rights", "Privacy", "Data protection", "Ethics", "Explainability",
	"Algorithmic bias", "Gender", "Youth", "Education", "Capacity building",
	"Criminal justice", "Courts", "Prisons", "Border security", "Migration",
	"Environmental crime", "Wildlife trafficking", "Counterfeiting", "Corruption", "Cyber security",
	"Large language models", "Generative AI", "Machine learning", "Computer vision", "Quantum computing",
	"Internet of things", "Blockchain", "Metaverse", "Neurotechnology", "Chemical and biological risks",
	"Nuclear security", "Public health", "Elections", "Hate speech", "Victim support",
}

// eventPrefixes open the title of an event of each kind.
var eventPrefixes = map[string]string{
	"MEETING": "Meeting on", "TRAINING": "Training course on", "CONFERENCE": "International conference on",
	"LAUNCH": "Launch of the initiative on", "PANEL": "Panel on", "ROUNDTABLE": "Roundtable on",
	"VISIT": "Study visit on", "WORKSHOP": "Workshop on", "PRESENTATION": "Presentation on",
}

// publicationPrefixes open the title of a publication of each kind.
var publicationPrefixes = map[string]string{
	"REPORT": "Report on", "MAGAZINE": "Magazine feature on", "JOURNAL_ISSUE": "Journal issue on",
	"TOOLKIT": "Toolkit for", "VIDEO": "Video on", "ARTICLE": "Article on",
}

// orgWords build organisation names: "<head> <field> <place>" by kind.
var orgHeads = map[string][]string{
	"UN_BODY":                    {"United Nations Office for", "United Nations Centre for", "UN Programme on"},
	"INTERNATIONAL_ORGANISATION": {"International Organisation for", "Global Alliance for", "International Network on"},
	"GOVERNMENT":                 {"Government Office for", "National Agency for", "Federal Office for"},
	"MINISTRY":                   {"Ministry of Justice and", "Ministry of the Interior and", "Ministry of Digital Affairs and"},
	"MUNICIPALITY":               {"City Department for", "Municipal Office for", "Metropolitan Council on"},
	"UNIVERSITY":                 {"University Institute for", "School of", "Faculty of"},
	"COMPANY":                    {"Solutions for", "Labs for", "Technologies for"},
	"CIVIL_SOCIETY":              {"Foundation for", "Coalition on", "Association for"},
	"LAW_ENFORCEMENT":            {"National Police Unit on", "Police Academy for", "Investigation Bureau on"},
	"RESEARCH_CENTRE":            {"Research Centre on", "Institute for Studies on", "Observatory on"},
	"OTHER":                      {"Forum on", "Platform for", "Initiative on"},
}

// orgKindWeights skew organisation kinds towards the partners a centre works with most.
var orgKindWeights = []int{4, 6, 10, 8, 4, 18, 16, 12, 10, 10, 2}

var firstNames = []string{"Anna", "Marco", "Sofia", "Luca", "Amina", "David", "Elena", "Omar", "Chen", "Maria",
	"Pedro", "Yuki", "Fatima", "Jonas", "Priya", "Kwame", "Laura", "Ivan", "Nadia", "Tomas",
	"Grace", "Ahmed", "Julia", "Sven", "Aisha", "Paolo", "Mei", "Carlos", "Hanna", "Ravi"}

var lastNames = []string{"Rossi", "Jansen", "Muller", "Dubois", "Garcia", "Smith", "Kumar", "Tanaka", "Kim", "Silva",
	"Okafor", "Mensah", "Haddad", "Novak", "Popescu", "Nielsen", "Kowalski", "Ivanova", "Santos", "Nguyen",
	"Cohen", "Ali", "Schmidt", "Bianchi", "Moreau", "Lopez", "Wang", "Andersen", "Horvat", "Costa"}

var jobTitles = []string{"Head", "Director", "Senior researcher", "Researcher", "Programme officer",
	"Professor", "Analyst", "Legal adviser", "Policy officer", "Chief technology officer"}
